use super::*;

fn cert(status: CertificateStatus, balance: i64, home: Option<Uuid>) -> CertificateState {
    CertificateState {
        code: CertificateCode::from_random(&[7; CODE_BODY_LEN]),
        nominal: Money::rub(500_000),
        balance: Money::rub(balance),
        status,
        expires_on: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        home_store: home,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 6, d).unwrap()
}

#[test]
fn codes_round_trip_and_catch_typos() {
    let c = CertificateCode::from_random(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 200]);
    assert_eq!(c.as_str().len(), 13);
    let shown = c.to_string();
    assert_eq!(shown.len(), 16, "{shown}");
    assert_eq!(CertificateCode::parse(&shown).unwrap(), c);
    assert_eq!(
        CertificateCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap(),
        c
    );
    // Every single-symbol change is caught by the check symbol.
    let s = c.as_str().as_bytes().to_vec();
    for i in 0..s.len() {
        for a in ALPHABET.iter().filter(|a| **a != s[i]) {
            let mut t = s.clone();
            t[i] = *a;
            let t = String::from_utf8(t).unwrap();
            assert!(CertificateCode::parse(&t).is_err(), "{t} passed");
        }
    }
    for bad in ["", "ABC", "0000000000000", "ABCDEFGHJKLMNP"] {
        assert!(matches!(
            CertificateCode::parse(bad),
            Err(CertificateRefusal::Malformed(_))
        ));
    }
}

#[test]
fn only_active_unexpired_certificates_with_money_pay() {
    let ok = cert(CertificateStatus::Active, 100, None);
    assert_eq!(check_usable(&ok, day(30)), Ok(()));
    assert!(matches!(
        check_usable(&ok, NaiveDate::from_ymd_opt(2027, 7, 1).unwrap()),
        Err(CertificateRefusal::Expired { .. })
    ));
    for (status, want) in [
        (CertificateStatus::Issued, "not been sold"),
        (CertificateStatus::Blocked, "blocked"),
        (CertificateStatus::Frozen, "frozen"),
    ] {
        let e = check_usable(&cert(status, 100, None), day(1)).unwrap_err();
        assert!(e.to_string().contains(want), "{e}");
    }
    assert!(matches!(
        check_usable(&cert(CertificateStatus::Active, 0, None), day(1)),
        Err(CertificateRefusal::Exhausted(_))
    ));
    assert_eq!(
        check_sellable(&cert(CertificateStatus::Issued, 0, None), day(1)),
        Ok(())
    );
    assert!(matches!(
        check_sellable(&ok, day(1)),
        Err(CertificateRefusal::AlreadySold(_))
    ));
}

#[test]
fn offline_allowance_is_the_lease_at_home_and_capped_elsewhere() {
    let home = Uuid::from_u128(1);
    let other = Uuid::from_u128(2);
    let p = OfflinePolicy {
        mode: OfflineMode::Allowance,
        per_redemption: Money::rub(150_000),
        per_day: Money::rub(200_000),
    };
    let c = cert(CertificateStatus::Active, 400_000, Some(home));
    let z = Money::rub(0);
    // Home store: the whole balance, less what this till already took.
    assert_eq!(
        offline_allowance(&c, &p, home, Money::rub(100_000), z),
        Ok(Money::rub(300_000))
    );
    // Elsewhere: the per-redemption cap, then what is left of the daily cap.
    assert_eq!(
        offline_allowance(&c, &p, other, z, z),
        Ok(Money::rub(150_000))
    );
    assert_eq!(
        offline_allowance(&c, &p, other, Money::rub(150_000), Money::rub(150_000)),
        Ok(Money::rub(50_000))
    );
    // Never more than the balance.
    let small = cert(CertificateStatus::Active, 10_000, Some(home));
    assert_eq!(
        offline_allowance(&small, &p, other, z, z),
        Ok(Money::rub(10_000))
    );
    let online_only = OfflinePolicy {
        mode: OfflineMode::OnlineOnly,
        ..p
    };
    assert_eq!(
        offline_allowance(&c, &online_only, home, z, z),
        Err(CertificateRefusal::OnlineOnly)
    );
    assert!(matches!(
        check_amount(&c, Money::rub(160_000), Money::rub(150_000), true),
        Err(CertificateRefusal::OverOfflineAllowance { .. })
    ));
    assert!(matches!(
        check_amount(&c, Money::rub(500_000), Money::rub(400_000), false),
        Err(CertificateRefusal::Insufficient { .. })
    ));
    assert_eq!(
        check_amount(&c, Money::rub(150_000), Money::rub(150_000), true),
        Ok(())
    );
}

#[test]
fn reconciliation_records_every_overdraw_exactly() {
    let r = Money::rub;
    assert_eq!(reconcile(r(500_000), r(400_000)), (r(100_000), r(0)));
    assert_eq!(reconcile(r(100_000), r(150_000)), (r(0), r(50_000)));
    assert_eq!(reconcile(r(0), r(1)), (r(0), r(1)));
}

#[test]
fn the_lookup_key_is_stable_per_code_and_reveals_nothing_of_it() {
    let a = CertificateCode::from_random(&[1; CODE_BODY_LEN]);
    let b = CertificateCode::from_random(&[2; CODE_BODY_LEN]);
    let typed = CertificateCode::parse(&a.to_string().to_lowercase()).unwrap();
    assert_eq!(a.lookup_key(), typed.lookup_key(), "as typed or as printed");
    assert_ne!(a.lookup_key(), b.lookup_key());
    // Pinned (computed apart, in Python): tills and head office store these keys, so the
    // algorithm may never change silently.
    assert_eq!(a.as_str(), "333333333333G");
    assert_eq!(
        a.lookup_key(),
        "c4fce058f450ee72753dc76fb01c04f3c9ddec0ee986c6691c41fa8878475583"
    );
}
