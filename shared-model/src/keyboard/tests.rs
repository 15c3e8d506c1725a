use super::*;

#[test]
fn a_code_typed_with_the_russian_layout_is_found_again() {
    assert_eq!(from_russian_layout("З0001"), "P0001");
    assert_eq!(from_russian_layout("з0001"), "p0001");
    // A certificate code: letters and dashes.
    assert_eq!(from_russian_layout("ФИСВ-УАПР-ОЛДЯ-Ч"), "ABCD-EFGH-JKLZ-X");
    // Symbols that sit on other keys in the Russian layout.
    assert_eq!(from_russian_layout("Ф\"№;:?.,"), "A@#$^&/?");
}

#[test]
fn a_latin_or_digits_only_burst_is_left_alone() {
    for s in [
        "P0001",
        "4607123000014",
        "2.5*D0004",
        "ABCD-EFGH",
        "01046071230000142",
    ] {
        assert!(matches!(from_russian_layout(s), Cow::Borrowed(_)), "{s}");
        assert_eq!(from_russian_layout(s), s);
    }
}

fn feed(d: &mut ScanDetector, keys: &[&str], start: f64, gap: f64) -> Vec<KeyVerdict> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| d.key(k, start + gap * i as f64))
        .collect()
}

#[test]
fn a_fast_burst_ending_in_enter_is_a_scan_and_slow_typing_is_not() {
    let mut d = ScanDetector::new(ScannerSetup::default());
    let keys = [
        "4", "6", "0", "7", "1", "2", "3", "0", "0", "0", "0", "1", "4", "Enter",
    ];
    let v = feed(&mut d, &keys, 1000.0, 8.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Scan("4607123000014".into())));
    assert!(v[..v.len() - 1].iter().all(|k| *k == KeyVerdict::Pending));
    // A person: 150 ms between keys, or a fast typist at 90 ms.
    let v = feed(&mut d, &["5", "0", "0", "0", "Enter"], 5000.0, 150.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Typed));
    let v = feed(&mut d, &["5", "0", "0", "0", "Enter"], 7000.0, 90.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Typed));
    // A scanner on a busy machine: one key held up 100 ms, the burst still fast.
    let mut at = 8000.0;
    let mut last = KeyVerdict::Pending;
    for (i, k) in [
        "4", "6", "0", "7", "1", "2", "3", "0", "0", "0", "0", "1", "4", "Enter",
    ]
    .iter()
    .enumerate()
    {
        at += if i == 6 { 100.0 } else { 4.0 };
        last = d.key(k, at);
    }
    assert_eq!(last, KeyVerdict::Scan("4607123000014".into()));
    // Too short to be a code, however fast (e.g. a quick "12" + Enter).
    let v = feed(&mut d, &["1", "2", "Enter"], 9000.0, 5.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Typed));
}

#[test]
fn capitals_prefix_suffix_and_layout_are_handled() {
    let setup = ScannerSetup {
        prefix: "]d2".into(),
        suffix: "Tab".into(),
        ..ScannerSetup::default()
    };
    let mut d = ScanDetector::new(setup);
    // The scanner holds Shift for the capital, in the Russian layout.
    let keys = ["]", "d", "2", "Shift", "З", "0", "0", "0", "1", "Tab"];
    let v = feed(&mut d, &keys, 0.0, 6.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Scan("P0001".into())));
    // Enter is not this scanner's suffix: it is typing.
    let v = feed(&mut d, &["1", "2", "3", "4", "Enter"], 100.0, 6.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Pending));
    // A fast burst without the prefix is not this scanner's.
    let v = feed(&mut d, &["P", "0", "0", "0", "1", "Tab"], 200.0, 6.0);
    assert_eq!(v.last(), Some(&KeyVerdict::Typed));
    // A pause in the middle starts a new burst.
    let mut d = ScanDetector::new(ScannerSetup::default());
    let mut v = feed(&mut d, &["9", "9", "9"], 0.0, 5.0);
    v.extend(feed(
        &mut d,
        &["P", "0", "0", "0", "1", "Enter"],
        500.0,
        5.0,
    ));
    assert_eq!(v.last(), Some(&KeyVerdict::Scan("P0001".into())));
}

#[test]
fn scanner_keys_are_checked_as_typed_in_settings() {
    let s = ScannerSetup::parse(" ]d2 ", "tab").unwrap();
    assert_eq!((s.prefix.as_str(), s.suffix.as_str()), ("]d2", "Tab"));
    assert_eq!(
        ScannerSetup::parse("", "Enter").unwrap(),
        ScannerSetup::default()
    );
    for (prefix, suffix) in [
        ("", "Space"),
        ("a b", "Enter"),
        ("123456789", "Enter"),
        ("\u{2}", "Enter"),
    ] {
        assert!(
            ScannerSetup::parse(prefix, suffix).is_err(),
            "{prefix:?} {suffix:?}"
        );
    }
}
