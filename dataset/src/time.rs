//! Strict checks for the timestamp and day strings the dataset stores.
//!
//! The dataset keeps times as RFC 3339 strings so that it stays serde-only; these functions check
//! them (for `validate`) and do simple arithmetic on days. They do not read the clock.

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_date(&s[..10]) || !(b[10] == b'T' || b[10] == b't') {
        return false;
    }
    let t = &b[11..];
    let two = |x: &[u8]| x.len() == 2 && x.iter().all(u8::is_ascii_digit);
    if t.len() < 9
        || !two(&t[0..2])
        || t[2] != b':'
        || !two(&t[3..5])
        || t[5] != b':'
        || !two(&t[6..8])
    {
        return false;
    }
    let num = |x: &[u8]| (x[0] - b'0') as u32 * 10 + (x[1] - b'0') as u32;
    if num(&t[0..2]) > 23 || num(&t[3..5]) > 59 || num(&t[6..8]) > 60 {
        return false;
    }
    let mut rest = &t[8..];
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[1 + digits..];
    }
    match rest {
        [b'Z'] | [b'z'] => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            two(&[*h1, *h2]) && two(&[*m1, *m2]) && num(&[*h1, *h2]) <= 23 && num(&[*m1, *m2]) <= 59
        }
        _ => false,
    }
}

/// Whether `s` is a calendar day `YYYY-MM-DD` that exists.
pub fn is_date(s: &str) -> bool {
    parse_date(s).is_some()
}

/// Parses `YYYY-MM-DD` into (year, month, day), checking the day exists.
pub fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let x = &s[r];
        x.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| x.parse().ok())?
    };
    let (y, m, d) = (digits(0..4)? as i32, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` day (or the day part of an RFC 3339 time).
pub fn day_number(s: &str) -> Option<i64> {
    let (y, m, d) = parse_date(s.get(..10)?)?;
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146097 + doe - 719468)
}

/// The `YYYY-MM-DD` of a day number (inverse of [`day_number`]).
pub fn day_string(days: i64) -> String {
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 UTC timestamp (second precision) for a Unix time in seconds.
pub fn rfc3339_from_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day_string(days),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_accepts_and_rejects() {
        for ok in [
            "2026-11-22T03:00:00Z",
            "2024-02-29T23:59:60.123+05:30",
            "2026-01-01t00:00:00z",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2026-11-22",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T03:00:00",
            "2026-11-22T03:00:00.Z",
            "2026-11-22T03:00:00+5:30",
            "",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-11-22T03:00:00Z"), Some(20_779));
        for n in [-1000, 0, 59, 60, 20_000, 40_000] {
            assert_eq!(day_number(&day_string(n)), Some(n));
        }
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
    }
}
