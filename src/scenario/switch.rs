//! A setting that is either a value or the word "off": how a scenario switches one
//! mechanism of the model off (back to the behaviour before the mechanism existed)
//! without a separate boolean field.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// A setting that is a value or the word "off", which switches its mechanism off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Switch<T> {
    /// The mechanism is on, with this value.
    On(T),
    /// The mechanism is off: today's behaviour.
    Off,
}

impl<T: Copy> Switch<T> {
    /// The value, None when off.
    pub fn on(self) -> Option<T> {
        match self {
            Switch::On(v) => Some(v),
            Switch::Off => None,
        }
    }
}

impl<T: Serialize> Serialize for Switch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Switch::On(v) => v.serialize(s),
            Switch::Off => s.serialize_str("off"),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Switch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        if v.as_str() == Some("off") {
            return Ok(Switch::Off);
        }
        let shown = v.to_string();
        T::deserialize(v).map(Switch::On).map_err(|e| {
            let e = e.to_string();
            de::Error::custom(format!(
                "{shown} is not valid ({}); or write \"off\"",
                e.trim_end()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::Duration;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct T {
        a: Switch<f64>,
        b: Switch<Duration>,
    }

    /// "off" switches off; a value of the type, integers included for numbers, is on;
    /// writing back gives the same text.
    #[test]
    fn off_or_a_value() {
        let t: T = toml::from_str("a = 30\nb = \"off\"\n").unwrap();
        assert_eq!(t.a, Switch::On(30.0));
        assert_eq!(t.b, Switch::Off);
        let back: T = toml::from_str(&toml::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        let e = toml::from_str::<T>("a = \"of\"\nb = \"2h\"\n").unwrap_err();
        assert!(e.to_string().contains("or write \"off\""), "{e}");
    }
}
