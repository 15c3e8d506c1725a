//! The change feed a till pulls: a first snapshot in pages, then changes in
//! (transaction id, row id) order, read only below the oldest running transaction so a
//! change that commits late with a lower number can never be passed.

use std::collections::HashMap;

use shared_model::events::CustomerDoc;
use shared_model::sync::{CashierData, Change, ProductData, PullResponse, PROTOCOL_VERSION};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::device::Device;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// Roles that work on a till and get its PIN.
const TILL_ROLES: [&str; 4] = ["cashier", "salesperson", "manager", "admin"];

/// What a snapshot page lists; each is paged by id in turn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Products,
    Customers,
    Certificates,
}

impl Phase {
    fn tag(self) -> &'static str {
        match self {
            Phase::Products => "s",
            Phase::Customers => "c",
            Phase::Certificates => "g",
        }
    }
}

enum Cursor {
    /// Snapshot in progress: changes from `txid` on follow; `phase` rows after `after`.
    Snapshot {
        txid: u64,
        phase: Phase,
        after: Uuid,
    },
    /// Following the feed after (txid, id).
    Feed { txid: u64, id: i64 },
}

fn parse(c: Option<&str>) -> ApiResult<Option<Cursor>> {
    let bad = || ApiError::Validation("invalid sync cursor".into());
    let Some(c) = c.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let mut parts = c.splitn(3, ':');
    let (kind, a, b) = (parts.next(), parts.next(), parts.next());
    let txid: u64 = a.and_then(|a| a.parse().ok()).ok_or_else(bad)?;
    let phase = match kind {
        Some("s") => Some(Phase::Products),
        Some("c") => Some(Phase::Customers),
        Some("g") => Some(Phase::Certificates),
        _ => None,
    };
    match (phase, kind, b) {
        (Some(phase), _, Some(b)) => Ok(Some(Cursor::Snapshot {
            txid,
            phase,
            after: Uuid::parse_str(b).map_err(|_| bad())?,
        })),
        (None, Some("f"), Some(b)) => Ok(Some(Cursor::Feed {
            txid,
            id: b.parse().map_err(|_| bad())?,
        })),
        _ => Err(bad()),
    }
}

/// A product as a till of one store gets it (that store's price), and whether it is sold.
#[derive(sqlx::FromRow)]
struct ProductRow {
    id: Uuid,
    sku: String,
    name: String,
    category: Option<String>,
    unit: String,
    vat: String,
    price_minor: i64,
    barcodes: Vec<String>,
    active: bool,
    cost_minor: i64,
    marking_group: Option<String>,
}

/// The products a till of `location` gets: these `ids` (sold or not), or else the next page
/// of sold products after `after`, by id.
///
/// The page is chosen first (an index range on the key) and only its rows are joined and
/// their barcodes gathered: one query over the whole catalog with the page condition inside
/// an `OR` made PostgreSQL walk the catalog from its start for every page, so a first sync
/// grew with the square of the catalog.
async fn products(
    conn: &mut PgConnection,
    location: Uuid,
    ids: Option<&[Uuid]>,
    after: Uuid,
    limit: i64,
) -> ApiResult<Vec<(ProductData, bool)>> {
    let chosen = if ids.is_some() {
        "SELECT * FROM products WHERE id = ANY($2)"
    } else {
        "SELECT * FROM products WHERE id > $3 AND active ORDER BY id LIMIT $4"
    };
    let rows: Vec<ProductRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.sku, p.name, c.name AS category, p.unit, p.vat,
                COALESCE(pr.price_minor, p.default_price_minor) AS price_minor,
                COALESCE((SELECT array_agg(b.code ORDER BY b.code) FROM barcodes b
                          WHERE b.product_id = p.id), '{{}}') AS barcodes,
                p.active, p.cost_minor, p.marking_group
         FROM ({chosen}) p
         LEFT JOIN categories c ON c.id = p.category_id
         LEFT JOIN prices pr ON pr.product_id = p.id AND pr.location_id = $1
         ORDER BY p.id"
    ))
    .bind(location)
    .bind(ids)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let product = ProductData {
                id: r.id,
                sku: r.sku,
                name: r.name,
                category: r.category,
                unit: r.unit,
                vat: r.vat,
                price_minor: r.price_minor,
                barcodes: r.barcodes,
                cost_minor: r.cost_minor,
                marking_group: r.marking_group,
            };
            (product, r.active)
        })
        .collect())
}

async fn cashiers(
    conn: &mut PgConnection,
    location: Uuid,
    ids: Option<&[Uuid]>,
) -> ApiResult<Vec<(Uuid, Option<CashierData>)>> {
    type Row = (
        Uuid,
        String,
        String,
        Option<String>,
        i32,
        bool,
        Option<String>,
        bool,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.id, u.full_name, u.role, u.pin_hash, u.discount_limit_bp, u.active, u.vatin,
                EXISTS (SELECT 1 FROM user_locations ul WHERE ul.user_id = u.id AND ul.location_id = $1)
         FROM users u WHERE ($2::uuid[] IS NULL AND u.pin_hash IS NOT NULL) OR u.id = ANY($2)",
    )
    .bind(location)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, role, pin, limit, active, vatin, here)| {
            let usable = active && here && TILL_ROLES.contains(&role.as_str());
            let data = pin.filter(|_| usable).map(|pin_hash| CashierData {
                id,
                name,
                role,
                pin_hash,
                discount_limit_bp: limit.clamp(0, 10_000) as u32,
                vatin,
            });
            (id, data)
        })
        .filter(|(_, d)| d.is_some() || ids.is_some())
        .collect())
}

/// Customers among `ids` (all when `None`, paged by id after `after`).
async fn customers(
    conn: &mut PgConnection,
    ids: Option<&[Uuid]>,
    after: Uuid,
    limit: i64,
) -> ApiResult<Vec<CustomerDoc>> {
    type Row = (Uuid, String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, phone, card_no, group_code FROM customers
         WHERE ($1::uuid[] IS NULL AND id > $2) OR id = ANY($1) ORDER BY id LIMIT $3",
    )
    .bind(ids)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(customer_id, name, phone, card_no, group)| CustomerDoc {
            customer_id,
            name,
            phone,
            card_no,
            group,
        })
        .collect())
}

/// Every marking group, as changes (a group changes seldom: all go when one does).
async fn marking_groups(conn: &mut PgConnection) -> ApiResult<Vec<Change>> {
    let groups = crate::marking::groups(conn).await?;
    Ok(groups.into_iter().map(Change::MarkingGroup).collect())
}

async fn store(conn: &mut PgConnection, loc: Uuid) -> ApiResult<Option<Change>> {
    let row: Option<(String, String, bool, String)> =
        sqlx::query_as("SELECT name, timezone, non_fiscal, taxation FROM locations WHERE id = $1")
            .bind(loc)
            .fetch_optional(conn)
            .await?;
    Ok(
        row.map(|(name, timezone, non_fiscal, taxation)| Change::Store {
            id: loc,
            name,
            timezone,
            non_fiscal,
            taxation: shared_model::fiscal::Taxation::parse(&taxation).ok(),
        }),
    )
}

/// One page of changes for `device`'s store.
pub async fn page(
    state: &AppState,
    device: &Device,
    protocol: u16,
    cursor: Option<&str>,
    limit: i64,
) -> ApiResult<PullResponse> {
    let mut page = read_page(state, device, cursor, limit).await?;
    if protocol < 2 {
        // Protocol 1 tills knew certificates by code, which no till may hold any more:
        // they get none (they redeem online, through head office's check).
        page.changes
            .retain(|c| !matches!(c, Change::CertificateKeyed(_)));
    }
    if protocol < 3 {
        // Tills before marked goods cannot read a marking group (their products' group
        // field they ignore): they sell marked goods by barcode, as they did.
        page.changes
            .retain(|c| !matches!(c, Change::MarkingGroup(_)));
    }
    Ok(page)
}

async fn read_page(
    state: &AppState,
    device: &Device,
    cursor: Option<&str>,
    limit: i64,
) -> ApiResult<PullResponse> {
    let mut conn = state.db.acquire().await?;
    sqlx::query(
        "UPDATE terminal_sync SET last_pull_at = now() WHERE terminal_id = $1 AND epoch = $2",
    )
    .bind(device.terminal_id)
    .bind(device.epoch as i32)
    .execute(&mut *conn)
    .await?;
    let loc = device.location_id;
    let horizon: String =
        sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
            .fetch_one(&mut *conn)
            .await?;
    let horizon: u64 = horizon.parse().map_err(ApiError::internal)?;
    match parse(cursor)? {
        None => snapshot(&mut conn, loc, horizon, Phase::Products, Uuid::nil(), limit).await,
        Some(Cursor::Snapshot { txid, phase, after }) => {
            snapshot(&mut conn, loc, txid, phase, after, limit).await
        }
        Some(Cursor::Feed { txid, id }) => {
            // Changes this till never saw were pruned: it starts again from a snapshot.
            let behind: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM change_log_horizon WHERE ($1::text::xid8, $2) < (txid, id))",
            )
            .bind(txid.to_string())
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            if behind {
                snapshot(&mut conn, loc, horizon, Phase::Products, Uuid::nil(), limit).await
            } else {
                feed(&mut conn, loc, txid, id, limit).await
            }
        }
    }
}

async fn snapshot(
    conn: &mut PgConnection,
    loc: Uuid,
    txid: u64,
    phase: Phase,
    after: Uuid,
    limit: i64,
) -> ApiResult<PullResponse> {
    let mut changes = Vec::new();
    if phase == Phase::Products && after.is_nil() {
        changes.extend(store(conn, loc).await?);
        changes.push(Change::CertificatePolicy(
            crate::certificates::policy(conn).await?,
        ));
        changes.extend(marking_groups(conn).await?);
        changes.extend(
            crate::promotions::running(conn, None)
                .await?
                .into_iter()
                .map(Change::Promotion),
        );
        let cats: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM categories ORDER BY id")
                .fetch_all(&mut *conn)
                .await?;
        changes.extend(
            cats.into_iter()
                .map(|(id, name)| Change::Category { id, name }),
        );
        changes.extend(
            cashiers(conn, loc, None)
                .await?
                .into_iter()
                .filter_map(|(_, d)| d.map(Change::Cashier)),
        );
    }
    let (count, last) = match phase {
        Phase::Products => {
            let items = products(conn, loc, None, after, limit).await?;
            let last = items.last().map(|p| p.0.id);
            let n = items.len();
            changes.extend(items.into_iter().map(|(p, _)| Change::Product(p)));
            (n, last)
        }
        Phase::Customers => {
            let items = customers(conn, None, after, limit).await?;
            let last = items.last().map(|c| c.customer_id);
            let n = items.len();
            changes.extend(items.into_iter().map(Change::Customer));
            (n, last)
        }
        Phase::Certificates => {
            let items = crate::certificates::entries(conn, None, after, limit).await?;
            let last = items.last().map(|c| c.0);
            let n = items.len();
            changes.extend(items.into_iter().map(|(_, c)| Change::CertificateKeyed(c)));
            (n, last)
        }
    };
    // A full page may have more after it; a short one ends this phase.
    let cursor = match (count as i64 == limit, last, phase) {
        (true, Some(last), p) => format!("{}:{txid}:{last}", p.tag()),
        (_, _, Phase::Products) => format!("c:{txid}:{}", Uuid::nil()),
        (_, _, Phase::Customers) => format!("g:{txid}:{}", Uuid::nil()),
        (_, _, Phase::Certificates) => format!("f:{txid}:0"),
    };
    Ok(PullResponse {
        protocol: PROTOCOL_VERSION,
        cursor,
        more: true,
        snapshot: true,
        changes,
    })
}

/// One row of the change log: what changed, in commit order.
#[derive(sqlx::FromRow)]
struct Changed {
    /// The writing transaction's id, as text (an `xid8`).
    txid: String,
    id: i64,
    entity: String,
    entity_id: Uuid,
}

/// The ids of what changed in one page of the change log, by kind of entity.
struct Touched(HashMap<String, Vec<Uuid>>);

impl Touched {
    fn new(rows: &[Changed]) -> Self {
        let mut by_kind: HashMap<String, Vec<Uuid>> = HashMap::new();
        for r in rows {
            // A price change reaches a till as its product.
            let kind = if r.entity == "price" {
                "product"
            } else {
                &r.entity
            };
            by_kind
                .entry(kind.to_owned())
                .or_default()
                .push(r.entity_id);
        }
        for ids in by_kind.values_mut() {
            ids.sort();
            ids.dedup();
        }
        Self(by_kind)
    }

    fn ids(&self, kind: &str) -> &[Uuid] {
        self.0.get(kind).map_or(&[], Vec::as_slice)
    }

    fn any(&self, kind: &str) -> bool {
        !self.ids(kind).is_empty()
    }
}

/// The page of the change log after (`txid`, `id`) a till of `loc` may see: changes committed
/// before every transaction still running, so none commits later behind the cursor.
async fn changed(
    conn: &mut PgConnection,
    loc: Uuid,
    txid: u64,
    id: i64,
    limit: i64,
) -> ApiResult<Vec<Changed>> {
    Ok(sqlx::query_as(
        "SELECT txid::text AS txid, id, entity, entity_id FROM change_log
         WHERE (txid, id) > ($1::text::xid8, $2)
           AND txid < pg_snapshot_xmin(pg_current_snapshot())
           AND (location_id IS NULL OR location_id = $3)
         ORDER BY txid, id LIMIT $4",
    )
    .bind(txid.to_string())
    .bind(id)
    .bind(loc)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Categories, products (with the store's prices) and promotions as they are now; what is
/// gone or no longer sold is sent as removed.
async fn catalog_changes(
    conn: &mut PgConnection,
    loc: Uuid,
    touched: &Touched,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    let cat_ids = touched.ids("category");
    if !cat_ids.is_empty() {
        let cats: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM categories WHERE id = ANY($1)")
                .bind(cat_ids)
                .fetch_all(&mut *conn)
                .await?;
        changes.extend(
            cats.into_iter()
                .map(|(id, name)| Change::Category { id, name }),
        );
    }
    let product_ids = touched.ids("product");
    if !product_ids.is_empty() {
        let limit = product_ids.len() as i64;
        let found: HashMap<Uuid, (ProductData, bool)> =
            products(conn, loc, Some(product_ids), Uuid::nil(), limit)
                .await?
                .into_iter()
                .map(|(p, sold)| (p.id, (p, sold)))
                .collect();
        changes.extend(product_ids.iter().map(|id| match found.get(id) {
            Some((p, true)) => Change::Product(p.clone()),
            _ => Change::ProductRemoved { id: *id },
        }));
    }
    let promo_ids = touched.ids("promotion");
    if !promo_ids.is_empty() {
        let found = crate::promotions::running(conn, Some(promo_ids)).await?;
        for id in promo_ids {
            match found.iter().find(|p| p.id == *id) {
                Some(p) => changes.push(Change::Promotion(p.clone())),
                None => changes.push(Change::PromotionRemoved { id: *id }),
            }
        }
    }
    Ok(())
}

/// Customers, gift certificates (by lookup key) and the store's cashiers as they are now.
async fn people_changes(
    conn: &mut PgConnection,
    loc: Uuid,
    touched: &Touched,
    changes: &mut Vec<Change>,
) -> ApiResult<()> {
    let customer_ids = touched.ids("customer");
    if !customer_ids.is_empty() {
        let limit = customer_ids.len() as i64;
        let found = customers(conn, Some(customer_ids), Uuid::nil(), limit).await?;
        changes.extend(found.into_iter().map(Change::Customer));
    }
    let cert_ids = touched.ids("certificate");
    if !cert_ids.is_empty() {
        let limit = cert_ids.len() as i64;
        let found = crate::certificates::entries(conn, Some(cert_ids), Uuid::nil(), limit).await?;
        changes.extend(found.into_iter().map(|(_, c)| Change::CertificateKeyed(c)));
    }
    let user_ids = touched.ids("cashier");
    if !user_ids.is_empty() {
        let found = cashiers(conn, loc, Some(user_ids)).await?;
        for uid in user_ids {
            match found.iter().find(|(id, _)| id == uid) {
                Some((_, Some(d))) => changes.push(Change::Cashier(d.clone())),
                _ => changes.push(Change::CashierRemoved { id: *uid }),
            }
        }
    }
    Ok(())
}

/// The incremental pull: what changed after the cursor, as it is now.
async fn feed(
    conn: &mut PgConnection,
    loc: Uuid,
    txid: u64,
    id: i64,
    limit: i64,
) -> ApiResult<PullResponse> {
    let rows = changed(conn, loc, txid, id, limit).await?;
    let more = rows.len() as i64 == limit;
    let cursor = match rows.last() {
        Some(last) => format!("f:{}:{}", last.txid, last.id),
        None => format!("f:{txid}:{id}"),
    };
    let touched = Touched::new(&rows);
    let mut changes = Vec::new();
    catalog_changes(conn, loc, &touched, &mut changes).await?;
    people_changes(conn, loc, &touched, &mut changes).await?;
    if touched.any("certificate_policy") {
        changes.push(Change::CertificatePolicy(
            crate::certificates::policy(conn).await?,
        ));
    }
    if touched.any("marking_group") {
        changes.extend(marking_groups(conn).await?);
    }
    if touched.any("store") {
        changes.extend(store(conn, loc).await?);
    }
    Ok(PullResponse {
        protocol: PROTOCOL_VERSION,
        cursor,
        more,
        snapshot: false,
        changes,
    })
}

/// Deletes change-log rows older than `keep_days` and moves the horizon past them.
/// Returns how many rows went.
pub async fn prune(db: &sqlx::PgPool, keep_days: u32) -> ApiResult<u64> {
    let mut tx = db.begin().await?;
    let last: Option<(String, i64)> = sqlx::query_as(
        "SELECT txid::text, id FROM change_log WHERE at < now() - make_interval(days => $1)
           AND txid < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY txid DESC, id DESC LIMIT 1",
    )
    .bind(keep_days as i32)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((txid, id)) = last else { return Ok(0) };
    let gone = sqlx::query("DELETE FROM change_log WHERE (txid, id) <= ($1::text::xid8, $2)")
        .bind(&txid)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(
        "INSERT INTO change_log_horizon (txid, id) VALUES ($1::text::xid8, $2)
         ON CONFLICT (only_row) DO UPDATE SET txid = EXCLUDED.txid, id = EXCLUDED.id",
    )
    .bind(&txid)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(gone)
}
