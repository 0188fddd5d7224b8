//! `infobackup scenario`'s checks on a template and its code block (see `super`).

/// The minimum size the block's `$alertsizebackup = …;` sets, in bytes: integer literals joined
/// by `*` only (`1024*1024*500`, `524288000`, `500 * 1024 * 1024`). Anything else is an error
/// saying what was found; the block then runs with whatever PHP makes of it.
pub fn min_size(code: &str) -> Result<u64, String> {
    let Some(at) = find_assignment(code) else {
        return Err("no `$alertsizebackup = …;` line".to_owned());
    };
    let rest = &code[at..];
    let Some(end) = rest.find(';') else {
        return Err("`$alertsizebackup = …` has no `;`".to_owned());
    };
    let expr = rest[..end].trim();
    let mut product: u64 = 1;
    for part in expr.split('*') {
        let p = part.trim();
        let digits: String = p.chars().filter(|c| *c != '_').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('_') || p.ends_with('_') {
            return Err(format!("`{expr}` is not integer literals joined by `*`"));
        }
        let n: u64 = digits.parse().map_err(|_| format!("`{p}` is too large"))?;
        product = product.checked_mul(n).ok_or_else(|| format!("`{expr}` is too large"))?;
    }
    Ok(product)
}

/// Byte offset just after `$alertsizebackup =` (not `==`), outside `//` and `#` comment lines.
fn find_assignment(code: &str) -> Option<usize> {
    let needle = "$alertsizebackup";
    let mut from = 0;
    while let Some(i) = code[from..].find(needle) {
        let at = from + i;
        let line_start = code[..at].rfind('\n').map_or(0, |j| j + 1);
        let before = code[line_start..at].trim_start();
        let after = &code[at + needle.len()..];
        let trimmed = after.trim_start();
        let commented = before.starts_with("//") || before.starts_with('#') || before.contains("//");
        if !commented && trimmed.starts_with('=') && !trimmed.starts_with("==") {
            let eq = at + needle.len() + (after.len() - trimmed.len());
            return Some(eq + 1);
        }
        from = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_users_write() {
        assert_eq!(min_size("$alertsizebackup = 1024*1024*100; // x"), Ok(104_857_600));
        assert_eq!(min_size("$alertsizebackup=524288000;"), Ok(524_288_000));
        assert_eq!(
            min_size("$a=1;\n$alertsizebackup = 500 * 1024 * 1024 ;"),
            Ok(524_288_000)
        );
        assert_eq!(min_size("$alertsizebackup = 1_000;"), Ok(1000));
    }

    #[test]
    fn refuses_anything_else() {
        assert!(min_size("$alertsizebackup = 100 * MB;").is_err());
        assert!(min_size("$alertsizebackup = 1e9;").is_err());
        assert!(min_size("$alertsizebackup = 1024**3;").is_err());
        assert!(min_size("// $alertsizebackup = 5;\n").is_err());
        assert!(min_size("$x = 1;").is_err());
        assert!(min_size("$alertsizebackup = 99999999999*99999999999;").is_err());
    }
}
