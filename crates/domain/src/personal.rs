//! Residents' personal data: parsed at the edge, masked whenever shown back.

use crate::field::{FieldError, FieldRule};
use serde::{Deserialize, Serialize};

/// A Chinese phone number: an 11-digit mobile (1xx) or a landline with area code (0xx…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and a leading +86; keeps digits only.
    pub fn parse(s: &str) -> Result<Phone, &'static str> {
        let mut digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        if let Some(rest) = digits.strip_prefix("+86") {
            digits = rest.to_string();
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("digits only");
        }
        let mobile = digits.len() == 11 && digits.starts_with('1');
        let landline = (10..=12).contains(&digits.len()) && digits.starts_with('0');
        // The hotline also records short local numbers (e.g. 8-digit Beijing landlines).
        let local = digits.len() == 8 && !digits.starts_with('0');
        if mobile || landline || local {
            Ok(Phone(digits))
        } else {
            Err("an 11-digit mobile or a landline number")
        }
    }

    pub fn parse_field(field: &str, s: &str) -> Result<Phone, FieldError> {
        Phone::parse(s).map_err(|_| FieldError::malformed(field, "phone_number"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 13812345678 → 138****5678; landlines keep the area code and the last four.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let keep_head = if n >= 10 { 3 } else { 0 };
        let keep_tail = 4.min(n);
        let stars = n - keep_head - keep_tail;
        format!("{}{}{}", &self.0[..keep_head], "*".repeat(stars.max(4)), &self.0[n - keep_tail..])
    }
}

impl TryFrom<String> for Phone {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}
impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// A person's name as given (1–50 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse_field(field: &str, s: &str) -> Result<PersonName, FieldError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(FieldError::required(field));
        }
        if t.chars().count() > 50 {
            return Err(FieldError::new(field, FieldRule::TooLong { max: 50 }));
        }
        Ok(PersonName(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// 张三 → 张*, 欧阳娜娜 → 欧***.
    pub fn masked(&self) -> String {
        mask_name(&self.0)
    }
}

pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
    }
}

/// Hides house, building and room numbers but keeps the road and compound readable:
/// 东直门南大街5号院3号楼301 → 东直门南大街*号院*号楼*; 五号院三号楼三〇一室 → *号院*号楼*室.
/// A run of numerals or letters is hidden when it holds a digit or names a 号/楼/单元/室…;
/// numerals inside place names (十字坡, 东四十条) stay.
pub fn mask_address(address: &str) -> String {
    const CN_NUMERALS: &str = "〇零一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟";
    const UNITS: &str = "号楼单元室层栋座门幢户甲乙丙丁";
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let in_run =
        |c: char| is_digit(c) || c.is_ascii_alphabetic() || ('Ａ'..='Ｚ').contains(&c) || CN_NUMERALS.contains(c);
    let chars: Vec<char> = address.chars().collect();
    let mut out = String::with_capacity(address.len());
    let mut i = 0;
    while i < chars.len() {
        if !in_run(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && in_run(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let names_a_unit = chars.get(i).is_none_or(|next| UNITS.contains(*next));
        if run.iter().any(|c| is_digit(*c)) || names_a_unit {
            out.push('*');
        } else {
            out.extend(run);
        }
    }
    out
}

/// The person who made a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub name: PersonName,
    pub phone: Phone,
}

impl Reporter {
    pub fn masked(&self) -> MaskedReporter {
        MaskedReporter { name: self.name.masked(), phone: self.phone.masked() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedReporter {
    pub name: String,
    pub phone: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_parse_and_mask() {
        assert_eq!(Phone::parse("138 1234 5678").unwrap().masked(), "138****5678");
        assert_eq!(Phone::parse("+86 13812345678").unwrap().masked(), "138****5678");
        assert_eq!(Phone::parse("010-64051234").unwrap().masked(), "010****1234");
        assert_eq!(Phone::parse("64051234").unwrap().masked(), "****1234");
        for bad in ["", "12345", "2381234567", "1381234567a", "138123456789"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_addresses_mask() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_address("东直门南大街5号院3号楼301"), "东直门南大街*号院*号楼*");
        assert_eq!(mask_address("东直门南大街五号院三号楼三〇一室"), "东直门南大街*号院*号楼*室");
        assert_eq!(mask_address("十字坡社区B座12A"), "十字坡社区*座*");
        assert_eq!(mask_address("东四十条甲3号"), "东四十条甲*号");
    }
}
