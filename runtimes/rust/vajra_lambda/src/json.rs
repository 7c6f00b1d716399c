//! A small JSON value: parsing, serialisation, accessors and conversions, standard library only.
//!
//! ```
//! use vajra_lambda::{json, json::Value};
//!
//! let ev: Value = json::parse(r#"{"name":"Ada","tags":["x"],"n":2}"#).unwrap();
//! assert_eq!(ev["name"].as_str(), Some("Ada"));
//! assert_eq!(ev["tags"][0], "x");
//! assert!(ev["missing"]["deeper"].is_null()); // indexing never panics on reads
//! let out = json!({"greeting": (format!("hello {}", ev["name"].as_str().unwrap())), "n": (ev["n"].as_i64())});
//! assert_eq!(out.to_string(), r#"{"greeting":"hello Ada","n":2}"#);
//! ```
//!
//! Objects are `BTreeMap`s, so they serialise with their keys sorted. Integers that fit an `i64` stay
//! exact; other numbers are `f64`.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Index, IndexMut};
use std::str::FromStr;

/// A JSON object.
pub type Map = BTreeMap<String, Value>;

/// Any JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number: an exact integer when it fits an `i64`, else a float.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The value as an `i64` when it is a whole number in range (so `2.0` counts, `2.5` does not).
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            // i64::MIN (-2^63) is exact as an f64; +2^63 is one past the end of the range.
            Number::Float(f) if f.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(&f) => {
                Some(f as i64)
            }
            Number::Float(_) => None,
        }
    }
}

impl PartialEq for Number {
    /// Numbers compare by value: `Int(1) == Float(1.0)`.
    fn eq(&self, other: &Number) -> bool {
        match (*self, *other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (a, b) => a.as_f64() == b.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Int(i) => write!(f, "{}", i),
            // Debug is the shortest round-tripping form and uses exponents for huge/tiny values
            // ("1e300", "0.1", "2.0"), all valid JSON. JSON has no NaN or infinities: write null.
            Number::Float(x) if x.is_finite() => write!(f, "{:?}", x),
            Number::Float(_) => f.write_str("null"),
        }
    }
}

static NULL: Value = Value::Null;

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i64().and_then(|i| u64::try_from(i).ok())
    }
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    /// The member `key` of an object (None for a missing key or a non-object).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }
    /// Moves the value out, leaving `Null` behind.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }
    /// Serialises with two-space indentation (`to_string()` gives the compact form).
    pub fn to_string_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(0));
        out
    }
}

/// `v["key"]`: the member, or `Null` when missing or when `v` is not an object.
impl Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `v[3]`: the element, or `Null` when out of range or when `v` is not an array.
impl Index<usize> for Value {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

/// `v["key"] = ...`: inserts the member (a `Null` turns into an empty object first).
/// Panics when `v` is neither an object nor null.
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(o) => o.entry(key.to_string()).or_insert(Value::Null),
            other => panic!("cannot set member {:?} of a JSON {}", key, kind(other)),
        }
    }
}

/// `v[3] = ...`: panics when `v` is not an array or the index is out of range.
impl IndexMut<usize> for Value {
    fn index_mut(&mut self, i: usize) -> &mut Value {
        match self {
            Value::Array(a) => {
                let len = a.len();
                a.get_mut(i).unwrap_or_else(|| panic!("JSON array index {} out of range (length {})", i, len))
            }
            other => panic!("cannot index a JSON {} with a number", kind(other)),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

// ---- Conversions into Value ----

macro_rules! from_int {
    ($($t:ty)*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number::Int(n as i64))
            }
        }
    )*};
}
from_int!(i8 i16 i32 i64 isize u8 u16 u32);

macro_rules! from_wide_uint {
    ($($t:ty)*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                match i64::try_from(n) {
                    Ok(i) => Value::Number(Number::Int(i)),
                    Err(_) => Value::Number(Number::Float(n as f64)),
                }
            }
        }
    )*};
}
from_wide_uint!(u64 usize);

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(Number::Float(n))
    }
}
impl From<f32> for Value {
    fn from(n: f32) -> Value {
        Value::Number(Number::Float(n as f64))
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.clone())
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<char> for Value {
    fn from(c: char) -> Value {
        Value::String(c.to_string())
    }
}
impl From<()> for Value {
    fn from(_: ()) -> Value {
        Value::Null
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}
impl From<&Value> for Value {
    fn from(v: &Value) -> Value {
        v.clone()
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map_or(Value::Null, Into::into)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Clone + Into<Value>> From<&[T]> for Value {
    fn from(v: &[T]) -> Value {
        Value::Array(v.iter().cloned().map(Into::into).collect())
    }
}
impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Value {
        Value::Array(it.into_iter().map(Into::into).collect())
    }
}
impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Value {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(it: I) -> Value {
        Value::Object(it.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

// Comparisons with plain Rust values, handy in handlers and tests: `ev["kind"] == "ping"`.
impl PartialEq<str> for Value {
    fn eq(&self, o: &str) -> bool {
        self.as_str() == Some(o)
    }
}
impl PartialEq<&str> for Value {
    fn eq(&self, o: &&str) -> bool {
        self.as_str() == Some(*o)
    }
}
impl PartialEq<String> for Value {
    fn eq(&self, o: &String) -> bool {
        self.as_str() == Some(o.as_str())
    }
}
impl PartialEq<bool> for Value {
    fn eq(&self, o: &bool) -> bool {
        self.as_bool() == Some(*o)
    }
}
impl PartialEq<i64> for Value {
    fn eq(&self, o: &i64) -> bool {
        self.as_number() == Some(Number::Int(*o))
    }
}
impl PartialEq<i32> for Value {
    fn eq(&self, o: &i32) -> bool {
        self.as_number() == Some(Number::Int(*o as i64))
    }
}
impl PartialEq<f64> for Value {
    fn eq(&self, o: &f64) -> bool {
        self.as_f64() == Some(*o)
    }
}

/// Builds a `Value` from JSON-like syntax: `json!({"a": [1, 2, null], "b": {"c": true}, "d": x})`.
///
/// Object keys are string literals (or any single token that converts into a `String`, such as
/// `(name)`); values are nested JSON literals, `null`, or any Rust expression that converts into a
/// `Value`.
#[macro_export]
macro_rules! json {
    (null) => { $crate::json::Value::Null };
    ([]) => { $crate::json::Value::Array(::std::vec::Vec::new()) };
    // Fast paths when every value is one token tree (a literal, a name, `(expr)`, `[..]`, `{..}`):
    // no token-by-token munching, so large literals stay far from the macro recursion limit.
    ([ $($val:tt),+ $(,)? ]) => { $crate::json::Value::Array(::std::vec![$($crate::json!($val)),+]) };
    ([ $($tt:tt)+ ]) => { $crate::json::Value::Array($crate::__json_array!([] () $($tt)+)) };
    ({}) => { $crate::json::Value::Object($crate::json::Map::new()) };
    ({ $($key:tt : $val:tt),+ $(,)? }) => {{
        let mut map = $crate::json::Map::new();
        $( map.insert(::std::string::String::from($key), $crate::json!($val)); )+
        $crate::json::Value::Object(map)
    }};
    ({ $($tt:tt)+ }) => {{
        let mut map = $crate::json::Map::new();
        $crate::__json_object!(map $($tt)+);
        $crate::json::Value::Object(map)
    }};
    ($other:expr) => { $crate::json::Value::from($other) };
}

/// json! internals: splits array elements at top-level commas (brackets and braces are single tokens).
#[doc(hidden)]
#[macro_export]
macro_rules! __json_array {
    ([$($done:expr,)*] ($($cur:tt)+) , $($rest:tt)*) => {
        $crate::__json_array!([$($done,)* $crate::json!($($cur)+),] () $($rest)*)
    };
    ([$($done:expr,)*] ($($cur:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__json_array!([$($done,)*] ($($cur)* $next) $($rest)*)
    };
    ([$($done:expr,)*] ($($cur:tt)+)) => { ::std::vec![$($done,)* $crate::json!($($cur)+)] };
    ([$($done:expr,)*] ()) => { ::std::vec![$($done,)*] };
}

/// json! internals: inserts `key: value` members, splitting at top-level commas.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_object {
    ($map:ident) => {};
    ($map:ident $key:tt : $($rest:tt)+) => { $crate::__json_object!(@value $map $key () $($rest)+) };
    (@value $map:ident $key:tt ($($cur:tt)+) , $($rest:tt)*) => {
        $map.insert(::std::string::String::from($key), $crate::json!($($cur)+));
        $crate::__json_object!($map $($rest)*);
    };
    (@value $map:ident $key:tt ($($cur:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__json_object!(@value $map $key ($($cur)* $next) $($rest)*)
    };
    (@value $map:ident $key:tt ($($cur:tt)+)) => {
        $map.insert(::std::string::String::from($key), $crate::json!($($cur)+));
    };
}

// ---- Serialisation ----

/// Compact JSON (`{:#}` gives the indented form).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(&mut out, self, if f.alternate() { Some(0) } else { None });
        f.write_str(&out)
    }
}

/// Serialises `v` compactly (same as `v.to_string()`).
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, None);
    out
}

fn newline(out: &mut String, indent: Option<usize>) {
    if let Some(n) = indent {
        out.push('\n');
        out.extend(std::iter::repeat(' ').take(n * 2));
    }
}

fn write_value(out: &mut String, v: &Value, indent: Option<usize>) {
    let inner = indent.map(|n| n + 1);
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            use fmt::Write;
            let _ = write!(out, "{}", n);
        }
        Value::String(s) => write_string(out, s),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, inner);
                write_value(out, item, inner);
            }
            newline(out, indent);
            out.push(']');
        }
        Value::Object(o) if o.is_empty() => out.push_str("{}"),
        Value::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, inner);
                write_string(out, k);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write_value(out, item, inner);
            }
            newline(out, indent);
            out.push('}');
        }
    }
}

/// Writes a quoted JSON string. Only `"`, `\` and control characters are escaped; everything else
/// (including non-ASCII) is written as UTF-8, which JSON allows.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every escaped byte is ASCII, so these slice bounds are char boundaries.
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

// ---- Parsing ----

/// Why a text is not JSON, and where (1-based line and column, counted in bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for ParseError {}

/// Parses one JSON text (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut p = Parser { src: text, b: text.as_bytes(), pos: 0, depth: 0 };
    p.skip_ws();
    let v = p.value()?;
    p.skip_ws();
    if p.pos < p.b.len() {
        return Err(p.err("trailing characters after the JSON value"));
    }
    Ok(v)
}

/// Parses JSON from bytes, which must be UTF-8.
pub fn from_slice(bytes: &[u8]) -> Result<Value, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s),
        Err(e) => {
            let p = Parser { src: "", b: bytes, pos: e.valid_up_to(), depth: 0 };
            Err(p.err("invalid UTF-8"))
        }
    }
}

impl FromStr for Value {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Value, ParseError> {
        parse(s)
    }
}

/// Deeper documents are refused rather than risking the stack (serde_json uses 128).
const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, message: &str) -> ParseError {
        let upto = &self.b[..self.pos.min(self.b.len())];
        let line = upto.iter().filter(|&&c| c == b'\n').count() + 1;
        let column = upto.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
        ParseError { message: message.to_string(), line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, ParseError> {
        if self.b[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.enter()?;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        items.push(self.value()?);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or ']' in an array")),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Array(items))
            }
            Some(b'{') => {
                self.enter()?;
                let mut map = Map::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.err("expected a string key in an object"));
                        }
                        let key = self.string()?;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(self.err("expected ':' after an object key"));
                        }
                        self.pos += 1;
                        self.skip_ws();
                        let v = self.value()?;
                        map.insert(key, v); // a repeated key: the last one wins, as in JavaScript
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.err("expected ',' or '}' in an object")),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Value::Object(map))
            }
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("JSON nested too deeply"));
        }
        self.pos += 1;
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        if self.digits() == 0 {
            return Err(self.err("expected a digit"));
        }
        if self.b[int_start] == b'0' && self.pos - int_start > 1 {
            return Err(self.err("leading zeros are not allowed in numbers"));
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("expected a digit after the decimal point"));
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("expected a digit in the exponent"));
            }
            float = true;
        }
        let text = &self.src[start..self.pos];
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Number(Number::Int(i)));
            }
        }
        // The grammar was checked above, so Rust's float parser accepts it (huge values become inf).
        text.parse::<f64>().map(|f| Value::Number(Number::Float(f))).map_err(|_| self.err("invalid number"))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err("expected four hex digits after \\u")),
            };
            n = n * 16 + d as u32;
            self.pos += 1;
        }
        Ok(n)
    }

    /// Reads a string starting at its opening quote.
    fn string(&mut self) -> Result<String, ParseError> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    out.push_str(&self.src[start..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(0..=0x1f) => return Err(self.err("control character in a string (it must be escaped)")),
                Some(b'\\') => {
                    out.push_str(&self.src[start..self.pos]);
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            self.pos -= 1; // the common `self.pos += 1` below steps past the escape
                            self.unicode_escape(hi)?
                        }
                        _ => return Err(self.err("invalid escape in a string")),
                    };
                    out.push(c);
                    self.pos += 1;
                    start = self.pos;
                }
                // Bytes >= 0x80 belong to multi-byte UTF-8 characters copied as they are; the
                // slices taken above always end at ASCII bytes, hence at character boundaries.
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Completes a `\uXXXX` escape whose value is `hi` (pos is on its last hex digit): joins a
    /// surrogate pair written as two escapes; a lone surrogate becomes U+FFFD, as JavaScript's
    /// TextEncoder would write it.
    fn unicode_escape(&mut self, hi: u32) -> Result<char, ParseError> {
        if (0xD800..0xDC00).contains(&hi) && self.b[self.pos + 1..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 3;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                self.pos -= 1;
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save; // not a low surrogate: leave that escape to be read on its own
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = r#"{"a":[1,-2,3.5,1e300,null,true,false],"b":{"c":"d"},"e":"","f":-0.0}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.to_string(), text);
        assert_eq!(parse(&v.to_string_pretty()).unwrap(), v);
        assert_eq!(format!("{:#}", json!([1, {"a": []}])), "[\n  1,\n  {\n    \"a\": []\n  }\n]");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse("9223372036854775807").unwrap().as_i64(), Some(i64::MAX));
        assert_eq!(parse("-9223372036854775808").unwrap().as_i64(), Some(i64::MIN));
        assert_eq!(parse("9223372036854775808").unwrap().as_f64(), Some(-(i64::MIN as f64)));
        assert_eq!(parse("2.0").unwrap().as_i64(), Some(2));
        assert_eq!(parse("2.5").unwrap().as_i64(), None);
        assert_eq!(parse("-1").unwrap().as_u64(), None);
        assert_eq!(parse("1E2").unwrap(), 100.0);
        assert_eq!(Value::from(f64::NAN).to_string(), "null");
        assert_eq!(Value::from(0.1).to_string(), "0.1");
        assert_eq!(Value::from(2.0).to_string(), "2.0");
        assert_eq!(Value::from(u64::MAX).to_string(), "1.8446744073709552e19");
        for bad in ["01", "1.", ".5", "-", "1e", "+1", "0x10", "NaN", "Infinity"] {
            assert!(parse(bad).is_err(), "{} should not parse", bad);
        }
    }

    #[test]
    fn strings_and_escapes() {
        let v = parse(r#""a\"b\\c\/d\b\f\n\r\t\u0001\u00e9\u20ac\ud83d\ude00 é😀""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}é€😀 é😀"));
        assert_eq!(v.to_string(), "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0001é€😀 é😀\"");
        // Lone surrogates become U+FFFD; a high surrogate followed by a non-low escape keeps it.
        assert_eq!(parse(r#""\ud800x""#).unwrap(), "\u{FFFD}x");
        assert_eq!(parse(r#""\udc00""#).unwrap(), "\u{FFFD}");
        assert_eq!(parse(r#""\ud800\u0041""#).unwrap(), "\u{FFFD}A");
        assert_eq!(parse(r#""\uD83D\uDE00""#).unwrap(), "😀");
        assert!(parse("\"a\nb\"").is_err());
        assert!(parse(r#""\x""#).is_err());
        assert!(parse(r#""\u12""#).is_err());
        assert!(parse(r#""abc"#).is_err());
    }

    #[test]
    fn structure_errors() {
        for bad in ["", "[", "[1,]", "{\"a\"}", "{\"a\":1,}", "{1:2}", "[1 2]", "nul", "truex", "{} {}"] {
            assert!(parse(bad).is_err(), "{:?} should not parse", bad);
        }
        let e = parse("{\n  \"a\": tru\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8));
        assert!(parse(&"[".repeat(MAX_DEPTH + 1)).unwrap_err().message.contains("deeply"));
        assert!(parse(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_ok());
        assert!(from_slice(b"\"\xff\"").is_err());
        assert_eq!(parse(" \r\n\t{} ").unwrap(), json!({}));
    }

    #[test]
    fn access_and_build() {
        let name = "Ada";
        let mut v = json!({
            "name": name,
            "n": -1,
            "list": [1, "two", [3], {"four": 4}, null, (1 + 1)],
            "nested": {"ok": true, "none": (None::<i32>)},
            (format!("k{}", 1)): 2.5,
        });
        assert_eq!(v["name"], "Ada");
        assert_eq!(v["n"].as_i64(), Some(-1));
        assert_eq!(v["list"][1], "two");
        assert_eq!(v["list"][3]["four"], 4);
        assert_eq!(v["list"][5], 2);
        assert!(v["list"][4].is_null() && v["list"][99].is_null() && v["name"]["x"].is_null());
        assert_eq!(v["nested"]["ok"], true);
        assert!(v["nested"]["none"].is_null());
        assert_eq!(v["k1"], 2.5);
        v["added"]["deep"] = json!("x");
        v["list"][0] = Value::from(vec![1, 2]);
        assert_eq!(v["added"].to_string(), r#"{"deep":"x"}"#);
        assert_eq!(v["list"][0].to_string(), "[1,2]");
        let arr: Value = (1..=3).collect();
        assert_eq!(arr.to_string(), "[1,2,3]");
        let obj: Value = vec![("a", 1), ("b", 2)].into_iter().collect();
        assert_eq!(obj.to_string(), r#"{"a":1,"b":2}"#);
        assert_eq!(json!(null), Value::Null);
        assert_eq!(json!([-1, 2 - 1, {"a": -1}]).to_string(), r#"[-1,1,{"a":-1}]"#);
        let big = json!({
            "k00": 0, "k01": 1, "k02": 2, "k03": 3, "k04": 4, "k05": 5, "k06": 6, "k07": 7, "k08": 8, "k09": 9,
            "k10": 0, "k11": 1, "k12": 2, "k13": 3, "k14": 4, "k15": 5, "k16": 6, "k17": 7, "k18": 8, "k19": 9,
            "k20": 0, "k21": 1, "k22": 2, "k23": 3, "k24": 4, "k25": 5, "k26": 6, "k27": 7, "k28": 8, "k29": 9,
            "k30": 0, "k31": 1, "k32": 2, "k33": 3, "k34": 4, "k35": 5, "k36": 6, "k37": 7, "k38": 8, "k39": 9,
            "k40": 0, "k41": 1, "k42": 2, "k43": 3, "k44": 4, "k45": 5, "k46": 6, "k47": 7, "k48": 8, "k49": 9,
        });
        assert_eq!(big.as_object().map(|o| o.len()), Some(50));
        assert_eq!(json!([]).to_string(), "[]");
    }
}
