//! Reports against an independent computation: a generated chain (stores in four time
//! zones, returns, discounts, four VAT rates, a cost change, a till that was offline the
//! whole period) goes in through the real ingest; every figure the API gives is worked
//! out again here from the generated events.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared_model::events::{EventEnvelope, EventPayload};
use shared_model::sync::PushRequest;
use shared_model::Money;
use sync_server::datagen::{self, Chain, Spec, ZONES};
use sync_server::device::Device;
use sync_server::reports::rollup;
use uuid::Uuid;

use crate::helpers::*;

/// Figures of one group, in kopecks and thousandths.
#[derive(Debug, Default, Clone, PartialEq)]
struct Acc {
    receipts: i64,
    items: i64,
    gross: i64,
    discount: i64,
    sales: i64,
    returns: i64,
    returned: i64,
    cost: i64,
    returned_cost: i64,
}

/// One sold or returned line, with everything a report may group or filter by.
#[derive(Debug, Clone)]
struct Fact {
    day: NaiveDate,
    hour: u32,
    store: Uuid,
    terminal: Uuid,
    cashier: Uuid,
    product: Uuid,
    receipt: Uuid,
    is_return: bool,
    qty: i64,
    gross: i64,
    discount: i64,
    total: i64,
    cost: i64,
    vat: (String, i64),
    /// Sales only: tender → amount net of change, once per receipt (on its first line).
    tenders: Vec<(String, i64)>,
}

fn round_div(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

/// Every line fact of the chain, from the events alone.
fn facts(chain: &Chain, feeds: &[(usize, usize, Vec<EventEnvelope>)]) -> Vec<Fact> {
    let mut out = Vec::new();
    let product = |id: Uuid| chain.products.iter().find(|p| p.id == id).expect("product");
    for (si, _, events) in feeds {
        let store = &chain.stores[*si];
        let offset = Duration::hours(ZONES[store.zone].1);
        let mut line_cost: BTreeMap<(Uuid, u32), i64> = BTreeMap::new();
        for e in events {
            match &e.payload {
                EventPayload::SaleCompleted(r) => {
                    let s = &r.doc;
                    let local = s.completed_at + offset;
                    for (i, l) in s.lines.iter().enumerate() {
                        let cost = round_div(
                            product(l.product_id).cost_at(s.completed_at) * l.qty.milli(),
                            1000,
                        );
                        line_cost.insert((s.sale_id, l.line_no), cost);
                        let tenders = if i == 0 {
                            s.payments
                                .iter()
                                .map(|p| {
                                    let change = if p.tender.code() == "cash" {
                                        s.change.minor
                                    } else {
                                        0
                                    };
                                    (p.tender.code().to_owned(), p.amount.minor - change)
                                })
                                .collect()
                        } else {
                            vec![]
                        };
                        out.push(Fact {
                            day: local.date_naive(),
                            hour: chrono::Timelike::hour(&local),
                            store: store.id,
                            terminal: e.terminal_id,
                            cashier: s.cashier_id,
                            product: l.product_id,
                            receipt: s.sale_id,
                            is_return: false,
                            qty: l.qty.milli(),
                            gross: l.gross.minor,
                            discount: l.discount.minor,
                            total: l.total.minor,
                            cost,
                            vat: (l.vat_rate.code().to_owned(), l.vat.minor),
                            tenders,
                        });
                    }
                }
                EventPayload::ReturnCompleted(r) => {
                    let d = &r.doc;
                    let local = d.completed_at + offset;
                    for l in &d.lines {
                        out.push(Fact {
                            day: local.date_naive(),
                            hour: chrono::Timelike::hour(&local),
                            store: store.id,
                            terminal: e.terminal_id,
                            cashier: d.cashier_id,
                            product: l.product_id,
                            receipt: d.return_id,
                            is_return: true,
                            qty: l.qty.milli(),
                            gross: 0,
                            discount: 0,
                            total: l.amount.minor,
                            cost: line_cost[&(d.sale_id, l.sale_line_no)],
                            vat: (l.vat_rate.code().to_owned(), l.vat.minor),
                            tenders: d
                                .refunds
                                .iter()
                                .map(|p| (p.tender.code().to_owned(), p.amount.minor))
                                .collect(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Sums facts by `key`.
fn sum_by<K: Ord>(facts: &[Fact], key: impl Fn(&Fact) -> K) -> BTreeMap<K, Acc> {
    let mut m: BTreeMap<K, (Acc, std::collections::HashSet<Uuid>)> = BTreeMap::new();
    for f in facts {
        let (a, seen) = m.entry(key(f)).or_default();
        let first = seen.insert(f.receipt);
        if f.is_return {
            a.returns += i64::from(first);
            a.returned += f.total;
            a.returned_cost += f.cost;
        } else {
            a.receipts += i64::from(first);
            a.items += f.qty;
            a.gross += f.gross;
            a.discount += f.discount;
            a.sales += f.total;
            a.cost += f.cost;
        }
    }
    m.into_iter().map(|(k, (a, _))| (k, a)).collect()
}

fn rub(m: i64) -> Value {
    Value::String(Money::rub(m).to_decimal_string())
}

/// The API's row matches the expected figures (the columns both have).
fn assert_row(row: &Value, a: &Acc, what: &str) {
    let net = a.sales - a.returned;
    let cost = a.cost - a.returned_cost;
    let want = [
        ("gross", rub(a.gross)),
        ("discount", rub(a.discount)),
        ("sales", rub(a.sales)),
        ("returned", rub(a.returned)),
        ("net", rub(net)),
        ("cost", rub(cost)),
        ("margin", rub(net - cost)),
    ];
    for (col, v) in want {
        assert_eq!(row[col], v, "{what}: {col} in {row}");
    }
    if row.get("receipts").is_some() {
        assert_eq!(row["receipts"], a.receipts, "{what}: receipts in {row}");
        assert_eq!(row["returns"], a.returns, "{what}: returns in {row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_agrees_with_the_events_the_tills_sent() {
    let app = spawn_app().await;
    let api = app.admin().await;
    let first = NaiveDate::from_ymd_opt(2026, 2, 20).expect("date");
    let chain = datagen::plan(&Spec {
        stores: 4,
        terminals_per_store: 2,
        products: 30,
        days: 40,
        receipts_per_terminal_day: 8,
        first_day: first,
        seed: 42,
    });
    datagen::write_master(&app.state, &chain)
        .await
        .expect("master data");
    let mut feeds = Vec::new();
    for si in 0..chain.stores.len() {
        for ti in 0..2 {
            feeds.push((si, ti, datagen::terminal_events(&chain, si, ti)));
        }
    }
    // The first till was offline the whole period: its batch arrives last, a week late.
    // The period's months have no sale-line partitions at first (the default one takes the
    // lines); they are added, moving the lines stored so far, before the late batch comes.
    let last = first + Duration::days(40);
    for (n, (si, ti, ev)) in feeds.iter().skip(1).chain(feeds.iter().take(1)).enumerate() {
        if n + 1 == feeds.len() {
            let added = rollup::ensure_partitions(&app.state.db, first, last)
                .await
                .expect("partitions");
            assert_eq!(added, 3, "February, March and April 2026");
            // Its first batch says how much more it holds: the sync-health report shows it.
            let device = Device {
                terminal_id: chain.stores[*si].terminals[*ti],
                location_id: chain.stores[*si].id,
                epoch: 1,
            };
            let req = PushRequest {
                protocol: 1,
                terminal_id: device.terminal_id,
                epoch: 1,
                events: ev[..20].to_vec(),
                newest_seq: ev.last().map(|e| e.seq),
            };
            sync_server::sync::push(&app.state, &device, req)
                .await
                .expect("first batch");
            let rows = report(
                &api,
                &format!("/reports/control/sync-health?from={first}&to={last}"),
            )
            .await;
            let row = rows
                .iter()
                .find(|r| r["terminal_id"] == device.terminal_id.to_string())
                .expect("the late till");
            assert_eq!(row["events_waiting"], json!(ev.len() - 20));
            // The devices page shows the same, with the till's last contact.
            let (_, page) = api
                .get(&format!("/terminals?location_id={}", device.location_id))
                .await;
            let t = page["items"]
                .as_array()
                .and_then(|ts| {
                    ts.iter()
                        .find(|t| t["id"] == device.terminal_id.to_string())
                })
                .expect("listed");
            assert_eq!(t["events_waiting"], json!(ev.len() - 20));
            assert!(t["last_push_at"].is_string(), "{t}");
        }
        datagen::push(&app.state, &chain, *si, *ti, ev, 50)
            .await
            .expect("push");
    }
    let facts = facts(&chain, &feeds);
    let per_partition: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tableoid::regclass::text, count(*) FROM sale_lines GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&app.state.db)
    .await
    .expect("partitions");
    let names: Vec<&str> = per_partition.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["sale_lines_2026_02", "sale_lines_2026_03"],
        "no line left in the default partition"
    );
    let stored: i64 = per_partition.iter().map(|(_, c)| c).sum();
    let sent: usize = feeds
        .iter()
        .flat_map(|(_, _, ev)| ev)
        .map(|e| match &e.payload {
            EventPayload::SaleCompleted(r) => r.doc.lines.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(stored as usize, sent, "every line in its month's partition");
    assert!(facts.iter().any(|f| f.is_return), "the data has returns");
    let period = format!("from={first}&to={last}");

    // Summary by day over the chain: rollup figures equal the events', day by day.
    let want = sum_by(&facts, |f| f.day);
    let rows = report(&api, &format!("/reports/sales-summary?{period}&group=day")).await;
    assert_eq!(rows.len(), want.len());
    for (row, (day, a)) in rows.iter().zip(&want) {
        assert_eq!(row["period"], day.to_string());
        assert_row(row, a, &format!("day {day}"));
        assert_eq!(
            row["items"],
            shared_model::Quantity::from_milli(a.items).to_string()
        );
    }
    // By ISO week (from Monday): the period's ends give partial weeks.
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let want = sum_by(&facts, |f| monday(f.day));
    let rows = report(&api, &format!("/reports/sales-summary?{period}&group=week")).await;
    assert_eq!(rows.len(), want.len());
    for (row, (week, a)) in rows.iter().zip(&want) {
        assert_eq!(row["period"], week.to_string());
        assert_row(row, a, &format!("week of {week}"));
    }
    // A Vladivostok store opens at 08:00, still yesterday in UTC: those sales count on
    // the store's day.
    let vlad = &chain.stores[1];
    assert_eq!(ZONES[vlad.zone].0, "Asia/Vladivostok");
    assert!(facts.iter().any(|f| f.store == vlad.id && f.hour < 10));

    // One store by month, one cashier in total.
    let store = chain.stores[2].id;
    let want = sum_by(&facts, |f| {
        (f.store == store).then(|| f.day.format("%Y-%m").to_string())
    });
    let rows = report(
        &api,
        &format!("/reports/sales-summary?{period}&group=month&location_id={store}"),
    )
    .await;
    let months: Vec<&Acc> = want
        .iter()
        .filter(|(k, _)| k.is_some())
        .map(|(_, a)| a)
        .collect();
    assert_eq!(rows.len(), months.len());
    for (row, a) in rows.iter().zip(months) {
        assert_row(row, a, "store by month");
    }
    let cashier = chain.stores[0].cashiers[1];
    let want = sum_by(&facts, |f| f.cashier == cashier);
    let rows = report(
        &api,
        &format!("/reports/sales-summary?{period}&cashier_id={cashier}"),
    )
    .await;
    assert_row(&rows[0], &want[&true], "one cashier");

    // Rankings: by store and by cashier from the rollups.
    for (dim, key) in [("store", 0), ("cashier", 1), ("terminal", 2)] {
        let want = sum_by(&facts, |f| {
            [f.store, f.cashier, f.terminal][key].to_string()
        });
        let rows = report(&api, &format!("/reports/sales-by/{dim}?{period}")).await;
        assert_eq!(rows.len(), want.len(), "{dim}");
        for row in &rows {
            let k = row["key"].as_str().expect("key");
            assert_row(row, &want[k], &format!("{dim} {k}"));
            assert!(row["name"].is_string(), "{dim} rows are named: {row}");
        }
        let nets: Vec<i64> = rows
            .iter()
            .map(|r| {
                want[r["key"].as_str().expect("key")].sales
                    - want[r["key"].as_str().expect("key")].returned
            })
            .collect();
        assert!(nets.windows(2).all(|w| w[0] >= w[1]), "{dim}: best first");
    }
    // Top and bottom five products, from the rollup; and with a till filter, from raw rows.
    let want = sum_by(&facts, |f| f.product.to_string());
    let mut ranked: Vec<(&String, i64)> = want
        .iter()
        .map(|(k, a)| (k, a.sales - a.returned))
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let rows = report(&api, &format!("/reports/sales-by/product?{period}&limit=5")).await;
    let keys: Vec<&str> = rows
        .iter()
        .map(|r| r["key"].as_str().expect("key"))
        .collect();
    let top: Vec<&str> = ranked.iter().take(5).map(|r| r.0.as_str()).collect();
    assert_eq!(keys, top);
    for row in &rows {
        assert_row(row, &want[row["key"].as_str().expect("key")], "product");
        assert_eq!(
            row["qty"],
            shared_model::Quantity::from_milli(want[row["key"].as_str().expect("key")].items)
                .to_string()
        );
    }
    // Whole months come from the monthly rollup, ragged ends from the daily one; a
    // period inside one month from the daily one alone.
    for (from, to) in [
        ("2026-02-25", "2026-03-31"),
        ("2026-03-05", "2026-03-09"),
        ("2026-03-01", "2026-03-31"),
    ] {
        let (a, b): (NaiveDate, NaiveDate) = (from.parse().expect("day"), to.parse().expect("day"));
        let want = sum_by(&facts, |f| {
            (f.day >= a && f.day <= b).then(|| f.product.to_string())
        });
        let rows = report(
            &api,
            &format!("/reports/sales-by/product?from={from}&to={to}"),
        )
        .await;
        assert_eq!(
            rows.len(),
            want.keys().filter(|k| k.is_some()).count(),
            "{from}–{to}"
        );
        for row in &rows {
            let k = Some(row["key"].as_str().expect("key").to_owned());
            assert_row(row, &want[&k], &format!("product {from}–{to}"));
        }
    }
    let rows = report(
        &api,
        &format!("/reports/sales-by/product?{period}&order=bottom&limit=1"),
    )
    .await;
    assert_eq!(rows[0]["key"], ranked.last().expect("a product").0.as_str());
    let term = chain.stores[3].terminals[1];
    let want_t = sum_by(&facts, |f| {
        (f.terminal == term).then(|| f.product.to_string())
    });
    let rows = report(
        &api,
        &format!("/reports/sales-by/product?{period}&terminal_id={term}"),
    )
    .await;
    assert_eq!(rows.len(), want_t.keys().filter(|k| k.is_some()).count());
    for row in &rows {
        assert_row(
            row,
            &want_t[&Some(row["key"].as_str().expect("key").to_owned())],
            "product at one till (raw)",
        );
    }

    // By category, and the summary for a top category (its subcategory included, raw path).
    let cat_of = |p: Uuid| {
        chain
            .products
            .iter()
            .find(|x| x.id == p)
            .expect("product")
            .category
    };
    let want = sum_by(&facts, |f| cat_of(f.product).to_string());
    let rows = report(&api, &format!("/reports/sales-by/category?{period}")).await;
    assert_eq!(rows.len(), want.len());
    for row in &rows {
        assert_row(row, &want[row["key"].as_str().expect("key")], "category");
    }
    let (top_cat, _) = chain.categories[0];
    let family: Vec<Uuid> = chain
        .categories
        .iter()
        .filter(|(id, parent)| *id == top_cat || *parent == Some(top_cat))
        .map(|c| c.0)
        .collect();
    let want = sum_by(&facts, |f| family.contains(&cat_of(f.product)));
    let rows = report(
        &api,
        &format!("/reports/sales-summary?{period}&category_id={top_cat}"),
    )
    .await;
    assert_row(&rows[0], &want[&true], "top category with its subcategory");

    // Hours of the day (sales only).
    let want = sum_by(
        &facts
            .iter()
            .filter(|f| !f.is_return)
            .cloned()
            .collect::<Vec<_>>(),
        |f| f.hour,
    );
    let rows = report(&api, &format!("/reports/sales-by/hour?{period}")).await;
    assert_eq!(rows.len(), want.len());
    for (row, (h, a)) in rows.iter().zip(&want) {
        assert_eq!(row["name"], format!("{h:02}:00"));
        assert_eq!(row["receipts"], a.receipts);
        assert_eq!(row["sales"], rub(a.sales));
    }

    // Payments by tender and VAT by rate for the whole period.
    let mut tenders: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut vat: BTreeMap<String, (i64, i64, i64, i64)> = BTreeMap::new();
    for f in &facts {
        for (t, m) in &f.tenders {
            let e = tenders.entry(t.clone()).or_default();
            if f.is_return {
                e.1 += m
            } else {
                e.0 += m
            }
        }
        let v = vat.entry(f.vat.0.clone()).or_default();
        if f.is_return {
            v.2 += f.total;
            v.3 += f.vat.1;
        } else {
            v.0 += f.total;
            v.1 += f.vat.1;
        }
    }
    let rows = report(&api, &format!("/reports/payments?{period}")).await;
    assert_eq!(rows.len(), tenders.len());
    for (row, (t, (sales, refunds))) in rows.iter().zip(&tenders) {
        assert_eq!(row["tender"], t.as_str());
        assert_eq!(
            (&row["sales"], &row["refunds"]),
            (&rub(*sales), &rub(*refunds)),
            "{t}"
        );
    }
    let rows = report(&api, &format!("/reports/vat?{period}")).await;
    assert_eq!(rows.len(), vat.len());
    for (row, (rate, (s, sv, r, rv))) in rows.iter().zip(&vat) {
        assert_eq!(row["vat"], rate.as_str());
        assert_eq!(
            [
                &row["sales"],
                &row["sales_vat"],
                &row["returned"],
                &row["returned_vat"]
            ],
            [&rub(*s), &rub(*sv), &rub(*r), &rub(*rv)],
            "{rate}"
        );
    }

    // Control reports: manual discounts by who gave them, returns with reasons, stock
    // and its value (no goods were received, so sold goods are negative stock), tills.
    let all = sum_by(&facts, |_| ());
    let rows = report(&api, &format!("/reports/control/discounts?{period}")).await;
    let manual: i64 = rows
        .iter()
        .map(|r| {
            assert_eq!(r["kind"], "manual");
            Money::parse(
                r["amount"].as_str().expect("amount"),
                shared_model::Currency::RUB,
            )
            .expect("money")
            .minor
        })
        .sum();
    assert_eq!(manual, all[&()].discount);
    let rows = report(&api, &format!("/reports/control/returns?{period}")).await;
    assert_eq!(rows.len() as i64, all[&()].returns);
    assert!(rows.iter().all(|r| r["reason"] == "не подошёл аромат"));
    let store0 = chain.stores[0].id;
    let sold = sum_by(&facts, |f| (f.store == store0).then_some(f.product));
    let rows = report(
        &api,
        &format!("/reports/stock/levels?{period}&location_id={store0}&negative=true"),
    )
    .await;
    let moved = |p: &Uuid| {
        let (s, r) = facts
            .iter()
            .filter(|f| f.store == store0 && f.product == *p)
            .fold((0, 0), |(s, r), f| {
                if f.is_return {
                    (s, r + f.qty)
                } else {
                    (s + f.qty, r)
                }
            });
        r - s
    };
    assert_eq!(
        rows.len(),
        sold.keys().flatten().filter(|p| moved(p) != 0).count()
    );
    for row in &rows {
        let p = chain
            .products
            .iter()
            .find(|p| row["sku"] == p.sku.as_str())
            .expect("product");
        assert_eq!(
            row["qty"],
            shared_model::Quantity::from_milli(moved(&p.id)).to_string()
        );
        assert_eq!(row["negative"], "yes");
    }
    // The movements ledger over ten days in the middle: each product's sales and returns
    // on the store's days, between an opening and a closing that meet the events.
    let (from, to) = (first + Duration::days(10), first + Duration::days(19));
    let ledger = |p: Uuid, days: &dyn Fn(NaiveDate) -> bool, returns: Option<bool>| -> i64 {
        facts
            .iter()
            .filter(|f| f.store == store0 && f.product == p && days(f.day))
            .filter(|f| returns.is_none_or(|r| f.is_return == r))
            .map(|f| if f.is_return { f.qty } else { -f.qty })
            .sum()
    };
    let in_period = |d: NaiveDate| d >= from && d <= to;
    let rows = report(
        &api,
        &format!("/reports/stock/movements?from={from}&to={to}&location_id={store0}"),
    )
    .await;
    let moved_in_period: std::collections::BTreeSet<Uuid> = facts
        .iter()
        .filter(|f| f.store == store0 && in_period(f.day))
        .map(|f| f.product)
        .collect();
    assert_eq!(rows.len(), moved_in_period.len());
    let q = |m: i64| json!(shared_model::Quantity::from_milli(m).to_string());
    for row in &rows {
        let p = chain
            .products
            .iter()
            .find(|p| row["sku"] == p.sku.as_str())
            .expect("product")
            .id;
        assert_eq!(row["opening"], q(ledger(p, &|d| d < from, None)), "{row}");
        assert_eq!(row["sold"], q(-ledger(p, &in_period, Some(false))), "{row}");
        assert_eq!(
            row["returned"],
            q(ledger(p, &in_period, Some(true))),
            "{row}"
        );
        assert_eq!(row["closing"], q(ledger(p, &|d| d <= to, None)), "{row}");
        assert_eq!(
            (row["received"].clone(), row["adjusted"].clone()),
            (q(0), q(0))
        );
    }

    // Low stock: a threshold set through the inventory API puts the product on the report
    // with what is short; zero takes it off again.
    let low_product = chain.products[0].id;
    let level = ledger(low_product, &|_| true, None);
    let (status, body) = api
        .put(
            "/inventory/thresholds",
            json!({"location_id": store0, "lines": [{"product_id": low_product, "qty": "5"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = report(&api, &format!("/reports/stock/low?{period}")).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["qty"], q(level));
    assert_eq!(rows[0]["min_qty"], q(5000));
    assert_eq!(rows[0]["short"], q(5000 - level));
    let (status, page) = api
        .get(&format!(
            "/inventory/thresholds?location_id={store0}&low=true"
        ))
        .await;
    assert_eq!((status, page["total"].clone()), (StatusCode::OK, json!(1)));
    let (status, body) = api
        .put(
            "/inventory/thresholds",
            json!({"location_id": store0, "lines": [{"product_id": low_product, "qty": "0"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(report(&api, &format!("/reports/stock/low?{period}"))
        .await
        .is_empty());
    for bad in ["-2", "abc", "1.5.5"] {
        let resp = api
            .put(
                "/inventory/thresholds",
                json!({"location_id": store0, "lines": [{"product_id": low_product, "qty": bad}]}),
            )
            .await;
        assert_error(&resp, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }

    let rows = report(&api, &format!("/reports/control/sync-health?{period}")).await;
    assert_eq!(rows.len(), 8);
    assert!(
        rows.iter()
            .all(|r| r["hours_unseen"] == 0 && r["chain_alerts"] == 0 && r["events_waiting"] == 0),
        "{rows:?}"
    );
    let rows = report(
        &api,
        &format!("/reports/control/sync-health?{period}&stale_hours=1"),
    )
    .await;
    assert!(rows.is_empty());
    let rows = report(&api, &format!("/reports/control/certificates?{period}")).await;
    assert_eq!((rows.len(), &rows[0]["what"]), (1, &json!("outstanding")));

    // CSV: a download with the same figures.
    let resp = api
        .client
        .get(format!(
            "{}/reports/sales-by/store?{period}&format=csv",
            api.app_url
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = resp.text().await.expect("body");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next(),
        Some("key,name,receipts,items,gross,discount,sales,returns,returned,net,cost,margin,average_receipt")
    );
    assert_eq!(lines.count(), chain.stores.len());
    let resp = api
        .client
        .get(format!(
            "{}/reports/stock/movements?from={from}&to={to}&format=xlsx",
            api.app_url
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"stock-movements.xlsx\""
    );
    let book = resp.bytes().await.expect("body");
    assert!(book.starts_with(b"PK\x03\x04"), "a zip container");

    // A manager sees their own store only; a cashier sees no reports at all.
    api.ok_post(
        "/users",
        json!({"login": "olga", "full_name": "Ольга", "role": "manager", "password": "password-123",
               "locations": [chain.stores[0].id]}),
    )
    .await;
    let olga = app.login("olga", "password-123").await;
    let rows = report(&olga, &format!("/reports/sales-by/store?{period}")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["key"], chain.stores[0].id.to_string());
    let other = chain.stores[1].id;
    let resp = olga
        .get(&format!(
            "/reports/sales-summary?{period}&location_id={other}"
        ))
        .await;
    assert_error(&resp, StatusCode::FORBIDDEN, "forbidden");
    api.ok_post(
        "/users",
        json!({"login": "kassa", "full_name": "Касса", "role": "cashier", "password": "password-123",
               "pin": "135791", "locations": [chain.stores[0].id]}),
    )
    .await;
    let kassa = app.login("kassa", "password-123").await;
    let resp = kassa.get(&format!("/reports/payments?{period}")).await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
    let resp = kassa.get(&format!("/reports/stock/levels?{period}")).await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
    // A warehouse worker reads their location's stock reports, not its sales.
    api.ok_post(
        "/users",
        json!({"login": "sklad", "full_name": "Склад", "role": "warehouse_worker", "password": "password-123",
               "locations": [chain.stores[0].id]}),
    )
    .await;
    let sklad = app.login("sklad", "password-123").await;
    let rows = report(&sklad, &format!("/reports/stock/levels?{period}")).await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r["store"] == rows[0]["store"]),
        "one store only"
    );
    let resp = sklad.get(&format!("/reports/sales-summary?{period}")).await;
    assert_eq!(resp.0, StatusCode::FORBIDDEN);
    let resp = sklad
        .get(&format!(
            "/reports/stock/movements?{period}&location_id={other}"
        ))
        .await;
    assert_error(&resp, StatusCode::FORBIDDEN, "forbidden");
    // Bad input is refused in words.
    let resp = api
        .get(&format!("/reports/sales-summary?from={last}&to={first}"))
        .await;
    assert_error(&resp, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let resp = api.get(&format!("/reports/sales-by/planet?{period}")).await;
    assert_eq!(resp.0.as_u16() / 100, 4, "{resp:?}");
}
