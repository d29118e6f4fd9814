package com.zenlogic.customerservice.segmentation;

import com.zenlogic.customerservice.platform.outbox.Outbox;
import com.zenlogic.customerservice.platform.outbox.OutboxSignal;

import com.zenlogic.customerservice.loyalty.LoyaltyDirectory;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for purchases, statistics and RFM scoring; runs inside the caller's tenant transaction. */
final class SegmentRepository {
  private static final String INSERT_PURCHASE = """
      INSERT INTO purchases (organization_id, customer_id, source, reference, amount, occurred_at, local_id, item_count)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (organization_id, reference) DO NOTHING RETURNING id""";

  private static final String INSERT_ITEM = """
      INSERT INTO purchase_items (organization_id, purchase_id, line, customer_id, occurred_at, product_id, variant_id, name, category,
        quantity, unit_price, line_amount)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""";

  // An item is the same item across purchases by product id, else variant id, else its name (any case).
  private static final String ITEM_KEY = """
      CASE WHEN product_id IS NOT NULL THEN 'p:' || product_id WHEN variant_id IS NOT NULL THEN 'v:' || variant_id
           WHEN name IS NOT NULL THEN 'n:' || lower(name) END""";

  /**
   * Cafeteria favourites: per item, the purchases that contained it in the window (quantities of one
   * purchase summed), scored sum(0.5 ^ (whole days since the purchase / $4)), then by latest purchase.
   * $1 organization, $2 customer, $3 now, $4 half-life in days, $5 window start, $6 limit.
   */
  private static final String FAVOURITES = """
      WITH lines AS (
        SELECT""" + " " + ITEM_KEY + """
       AS item_key, purchase_id, occurred_at, product_id, variant_id, name, category, quantity
        FROM purchase_items WHERE organization_id = $1 AND customer_id = $2 AND occurred_at > $5
      ), per_purchase AS (
        SELECT item_key, purchase_id, max(occurred_at) AS occurred_at, sum(quantity) AS quantity
        FROM lines WHERE item_key IS NOT NULL GROUP BY item_key, purchase_id
      ), ranked AS (
        SELECT item_key, count(*)::int AS times_bought, max(occurred_at) AS last_at,
          round(sum(power(0.5, floor(extract(epoch FROM $3::timestamptz - occurred_at) / 86400) / $4::numeric))::numeric, 4) AS score,
          mode() WITHIN GROUP (ORDER BY quantity) AS usual_quantity
        FROM per_purchase GROUP BY item_key
      )
      SELECT r.item_key, r.times_bought, r.last_at, r.score, r.usual_quantity, l.product_id, l.variant_id, l.name, l.category
      FROM ranked r
      CROSS JOIN LATERAL (SELECT product_id, variant_id, name, category FROM lines
                          WHERE lines.item_key = r.item_key ORDER BY occurred_at DESC, purchase_id DESC LIMIT 1) l
      ORDER BY r.score DESC, r.last_at DESC, r.item_key LIMIT $6""";

  /**
   * Supermarket: spend per category of the priced lines in the window, as a share of all priced
   * line spend in the window (4 decimals), with the purchases and latest purchase of each.
   * $1 organization, $2 customer, $3 window start, $4 limit.
   */
  private static final String TOP_CATEGORIES = """
      WITH lines AS (
        SELECT category, purchase_id, occurred_at, line_amount FROM purchase_items
        WHERE organization_id = $1 AND customer_id = $2 AND occurred_at > $3
      ), total AS (
        SELECT coalesce(sum(line_amount), 0) AS spend FROM lines
      )
      SELECT l.category, coalesce(sum(l.line_amount), 0.00)::numeric(16,2) AS spend, count(DISTINCT l.purchase_id)::int AS purchases,
        max(l.occurred_at) AS last_at,
        CASE WHEN t.spend = 0 THEN 0.0000 ELSE round(coalesce(sum(l.line_amount), 0) / t.spend, 4) END AS share
      FROM lines l CROSS JOIN total t WHERE l.category IS NOT NULL
      GROUP BY l.category, t.spend
      ORDER BY spend DESC, last_at DESC, l.category LIMIT $4""";

  private static final String REGISTER_TENANT = "INSERT INTO segmentation_tenants (organization_id) VALUES ($1) ON CONFLICT DO NOTHING";

  // Incremental statistics: one row per customer, moved by each new purchase.
  private static final String ADD_TO_STATS = """
      INSERT INTO customer_stats AS s (organization_id, customer_id, purchase_count, total_spent, first_purchase_at, last_purchase_at,
        pos_count, order_count)
      VALUES ($1, $2, 1, $3, $4, $4, $5, $6)
      ON CONFLICT (organization_id, customer_id) DO UPDATE SET purchase_count = s.purchase_count + 1,
        total_spent = s.total_spent + EXCLUDED.total_spent,
        first_purchase_at = least(s.first_purchase_at, EXCLUDED.first_purchase_at),
        last_purchase_at = greatest(s.last_purchase_at, EXCLUDED.last_purchase_at),
        pos_count = s.pos_count + EXCLUDED.pos_count, order_count = s.order_count + EXCLUDED.order_count""";

  // A cancelled order leaves the history; its customer's statistics are recomputed from what remains.
  private static final String DELETE_PURCHASE =
      "DELETE FROM purchases WHERE organization_id = $1 AND reference = $2 RETURNING customer_id";

  private static final String LOCK_STATS =
      "SELECT 1 FROM customer_stats WHERE organization_id = $1 AND customer_id = $2 FOR UPDATE";

  private static final String RECOMPUTE_STATS = """
      UPDATE customer_stats s SET purchase_count = p.n, total_spent = p.total, first_purchase_at = p.first_at,
        last_purchase_at = p.last_at, pos_count = p.pos, order_count = p.n - p.pos
      FROM (SELECT count(*)::int AS n, coalesce(sum(amount), 0) AS total, min(occurred_at) AS first_at, max(occurred_at) AS last_at,
              (count(*) FILTER (WHERE source = 'pos'))::int AS pos
            FROM purchases WHERE organization_id = $1 AND customer_id = $2) p
      WHERE s.organization_id = $1 AND s.customer_id = $2""";

  private static final String STATS = """
      SELECT customer_id, purchase_count, total_spent, first_purchase_at, last_purchase_at, pos_count, order_count, recency_score,
        frequency_score, monetary_score, segment, vip, churn_risk, scored_at
      FROM customer_stats WHERE organization_id = $1 AND customer_id = $2""";

  private static final String WINDOW = """
      SELECT max(occurred_at) AS last_at, count(*) AS f, coalesce(sum(amount), 0) AS m FROM purchases
      WHERE organization_id = $1 AND customer_id = $2 AND occurred_at > $3""";


  private static final String SAVE_SCORE = """
      UPDATE customer_stats SET recency_score = $3, frequency_score = $4, monetary_score = $5, segment = $6, vip = $7,
        churn_risk = $8, scored_at = $9
      WHERE organization_id = $1 AND customer_id = $2""";

  private static final String BOUNDS = """
      SELECT window_days, recency_bounds, frequency_bounds, monetary_bounds, vip_bound, scored, computed_at
      FROM rfm_boundaries WHERE organization_id = $1""";

  private static final String SAVE_BOUNDS = """
      INSERT INTO rfm_boundaries (organization_id, window_days, recency_bounds, frequency_bounds, monetary_bounds, vip_bound,
        scored, computed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (organization_id) DO UPDATE SET window_days = EXCLUDED.window_days, recency_bounds = EXCLUDED.recency_bounds,
        frequency_bounds = EXCLUDED.frequency_bounds, monetary_bounds = EXCLUDED.monetary_bounds, vip_bound = EXCLUDED.vip_bound,
        scored = EXCLUDED.scored, computed_at = EXCLUDED.computed_at""";

  private static final String GRID = """
      CASE WHEN r = 5 AND fs >= 4 THEN 'champions'
           WHEN r IN (3, 4) AND fs >= 4 THEN 'loyal'
           WHEN r >= 4 AND fs IN (2, 3) THEN 'potential_loyalist'
           WHEN r = 5 AND fs = 1 THEN 'new'
           WHEN r = 4 AND fs = 1 THEN 'promising'
           WHEN r = 3 AND fs = 3 THEN 'need_attention'
           WHEN r = 3 THEN 'about_to_sleep'
           WHEN fs = 5 THEN 'cannot_lose'
           WHEN fs >= 3 THEN 'at_risk'
           ELSE 'hibernating' END""";

  private static final String CHURN = """
      CASE WHEN cs.purchase_count = 0 OR cs.last_purchase_at IS NULL THEN 'low'
           WHEN cs.purchase_count = 1 THEN
             CASE WHEN extract(epoch FROM $3 - cs.last_purchase_at) / 86400 > $9::int THEN 'high'
                  WHEN extract(epoch FROM $3 - cs.last_purchase_at) / 86400 > $10::int THEN 'medium' ELSE 'low' END
           WHEN cs.last_purchase_at <= cs.first_purchase_at THEN
             CASE WHEN extract(epoch FROM $3 - cs.last_purchase_at) / 86400 > 1 THEN 'high' ELSE 'low' END
           ELSE CASE WHEN extract(epoch FROM $3 - cs.last_purchase_at)
                          / (extract(epoch FROM cs.last_purchase_at - cs.first_purchase_at) / (cs.purchase_count - 1)) > $7::float8 THEN 'high'
                     WHEN extract(epoch FROM $3 - cs.last_purchase_at)
                          / (extract(epoch FROM cs.last_purchase_at - cs.first_purchase_at) / (cs.purchase_count - 1)) > $8::float8 THEN 'medium'
                     ELSE 'low' END END""";

  /**
   * The whole organization in one set-based statement: window aggregates, ntile(5) scores (ties by
   * customer id), segments, VIP, churn, one customer.segment.changed event per customer whose segment
   * actually changed, and the quintile bounds for later single-customer rescoring.
   * $1 organization, $2 window start, $3 now, $4 VIP share, $5 correlation id, $6 platinum is VIP,
   * $7/$8 churn high/medium ratios, $9/$10 single-purchase high/medium days.
   */
  private static final String RESCORE = """
      WITH w AS (
        SELECT customer_id, max(occurred_at) AS last_at, count(*) AS f, sum(amount) AS m
        FROM purchases WHERE organization_id = $1 AND occurred_at > $2 GROUP BY customer_id
      ), scored AS (
        SELECT customer_id, last_at, f, m,
          ntile(5) OVER (ORDER BY last_at, customer_id) AS r,
          ntile(5) OVER (ORDER BY f, customer_id) AS fs,
          ntile(5) OVER (ORDER BY m, customer_id) AS ms,
          row_number() OVER (ORDER BY m DESC, customer_id DESC) AS m_rank,
          count(*) OVER () AS n
        FROM w
      ), old AS (
        SELECT customer_id, segment FROM customer_stats WHERE organization_id = $1
      ), target AS (
        SELECT cs.customer_id, coalesce(s.r, 0) AS r, coalesce(s.fs, 0) AS fs, coalesce(s.ms, 0) AS ms,
          CASE WHEN s.customer_id IS NULL THEN (CASE WHEN cs.last_purchase_at IS NOT NULL THEN 'lost' ELSE 'none' END)
               ELSE (SELECT""" + " " + GRID + " " + """
       FROM (SELECT s.r AS r, s.fs AS fs) g) END AS segment,
          coalesce(s.m_rank <= greatest(1, ceil(s.n * $4::float8)), false) OR ($6::boolean AND coalesce(la.tier = 'platinum', false)) AS vip,
          """ + " " + CHURN + " " + """
       AS churn
        FROM customer_stats cs
        LEFT JOIN scored s ON s.customer_id = cs.customer_id
        LEFT JOIN """ + LoyaltyDirectory.TIERS + """
       la ON la.organization_id = cs.organization_id AND la.customer_id = cs.customer_id
        WHERE cs.organization_id = $1
      ), upd AS (
        UPDATE customer_stats cs SET recency_score = t.r, frequency_score = t.fs, monetary_score = t.ms, segment = t.segment,
          vip = t.vip, churn_risk = t.churn, scored_at = $3
        FROM target t WHERE cs.organization_id = $1 AND cs.customer_id = t.customer_id
        RETURNING cs.customer_id, cs.segment, cs.recency_score, cs.frequency_score, cs.monetary_score, cs.vip
      ), changed AS (
        SELECT gen_random_uuid() AS event_id, u.customer_id, o.segment AS old_segment, u.segment, u.recency_score,
          u.frequency_score, u.monetary_score, u.vip
        FROM upd u JOIN old o ON o.customer_id = u.customer_id WHERE o.segment IS DISTINCT FROM u.segment
      ), segment_events AS (
        SELECT c.event_id, $1::uuid AS organization_id, c.customer_id AS aggregate_id, $5::text AS correlation_id,
          $3::timestamptz AS occurred_at,
          jsonb_build_object('customer_id', c.customer_id, 'previous_segment', c.old_segment, 'segment', c.segment,
            'recency_score', c.recency_score, 'frequency_score', c.frequency_score, 'monetary_score', c.monetary_score,
            'vip', c.vip) AS data
        FROM changed c
      ), events AS (
        """ + Outbox.insertEachRowOf("segment_events", "customer.segment.changed", 1) + """

      ), bounds AS (
        SELECT 'r' AS k, r AS q, (array_agg(jsonb_build_array(to_char(last_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               customer_id) ORDER BY last_at, customer_id))[1] AS b FROM scored WHERE r > 1 GROUP BY r
        UNION ALL
        SELECT 'f', fs, (array_agg(jsonb_build_array(f::text, customer_id) ORDER BY f, customer_id))[1] FROM scored WHERE fs > 1 GROUP BY fs
        UNION ALL
        SELECT 'm', ms, (array_agg(jsonb_build_array(m::text, customer_id) ORDER BY m, customer_id))[1] FROM scored WHERE ms > 1 GROUP BY ms
        UNION ALL
        SELECT 'v', 0, (array_agg(jsonb_build_array(m::text, customer_id) ORDER BY m DESC, customer_id DESC))[greatest(1, ceil(max(n) * $4::float8))::int]
        FROM scored
      )
      SELECT jsonb_build_object(
        'counts', (SELECT coalesce(jsonb_object_agg(segment, n), '{}'::jsonb) FROM (SELECT segment, count(*) AS n FROM upd GROUP BY segment) x),
        'events', (SELECT count(*) FROM events),
        'scored', (SELECT count(*) FROM scored),
        'r', (SELECT coalesce(jsonb_agg(b ORDER BY q), '[]'::jsonb) FROM bounds WHERE k = 'r'),
        'f', (SELECT coalesce(jsonb_agg(b ORDER BY q), '[]'::jsonb) FROM bounds WHERE k = 'f'),
        'm', (SELECT coalesce(jsonb_agg(b ORDER BY q), '[]'::jsonb) FROM bounds WHERE k = 'm'),
        'v', (SELECT b FROM bounds WHERE k = 'v')) AS result""";

  private static final String HISTORY = """
      SELECT id, source, reference, amount, occurred_at, local_id, item_count FROM purchases
      WHERE organization_id = $1 AND customer_id = $2
        AND ($3::timestamptz IS NULL OR (occurred_at, id) < ($3::timestamptz, $4::bigint))
      ORDER BY occurred_at DESC, id DESC LIMIT $5""";

  private static final String PURCHASE_LINES = """
      SELECT purchase_id, line, product_id, variant_id, name, category, quantity, unit_price FROM purchase_items
      WHERE organization_id = $1 AND customer_id = $2 AND purchase_id = ANY ($3)
      ORDER BY purchase_id DESC, line""";

  private static final String SEGMENT_COUNTS = """
      SELECT segment, count(*) AS n FROM customer_stats WHERE organization_id = $1 GROUP BY segment ORDER BY segment""";

  private static final String SEGMENT_PAGE = """
      SELECT customer_id, recency_score, frequency_score, monetary_score, vip, churn_risk, total_spent, purchase_count, last_purchase_at
      FROM customer_stats WHERE organization_id = $1 AND segment = $2 AND ($3::uuid IS NULL OR customer_id > $3)
      ORDER BY customer_id LIMIT $4""";

  private static final String TENANTS = "SELECT organization_id FROM segmentation_tenants";

  Future<Boolean> insertPurchase(SqlConnection conn, UUID org, Purchase p) {
    return conn.preparedQuery(INSERT_PURCHASE).execute(Tuple.of(org, p.customerId(), p.source(), p.reference(), p.amount(),
            utc(p.occurredAt())).addValue(p.localId()).addValue(p.itemCount()))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
            : insertItems(conn, org, rows.iterator().next().getLong("id"), p)
                .compose(v -> conn.preparedQuery(REGISTER_TENANT).execute(Tuple.of(org))).map(true));
  }

  /** The purchase's lines, numbered in the order sent, in one batch. */
  private Future<Void> insertItems(SqlConnection conn, UUID org, long purchaseId, Purchase p) {
    if (p.items().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = new ArrayList<>(p.items().size());
    for (int i = 0; i < p.items().size(); i++) {
      PurchaseItem item = p.items().get(i);
      batch.add(Tuple.of(org, purchaseId, i, p.customerId(), utc(p.occurredAt()), item.productId()).addValue(item.variantId())
          .addValue(item.name()).addValue(item.category()).addValue(item.quantity()).addValue(item.unitPrice())
          .addValue(item.lineAmount()));
    }
    return conn.preparedQuery(INSERT_ITEM).executeBatch(batch).mapEmpty();
  }

  Future<List<SegmentationMessages.Favourite>> favourites(SqlConnection conn, UUID org, UUID customerId, Instant now, int halfLifeDays,
                                                          Instant since, int limit) {
    return conn.preparedQuery(FAVOURITES).execute(Tuple.of(org, customerId, utc(now), halfLifeDays, utc(since), limit)).map(rows -> {
      List<SegmentationMessages.Favourite> out = new ArrayList<>();
      rows.forEach(r -> out.add(new SegmentationMessages.Favourite(r.getString("product_id"), r.getString("variant_id"),
          r.getString("name"), r.getString("category"), r.getInteger("times_bought"), r.getOffsetDateTime("last_at").toInstant(),
          plain(r.getBigDecimal("usual_quantity")), r.getBigDecimal("score").setScale(4, java.math.RoundingMode.HALF_UP))));
      return out;
    });
  }

  Future<List<SegmentationMessages.CategoryShare>> topCategories(SqlConnection conn, UUID org, UUID customerId, Instant since, int limit) {
    return conn.preparedQuery(TOP_CATEGORIES).execute(Tuple.of(org, customerId, utc(since), limit)).map(rows -> {
      List<SegmentationMessages.CategoryShare> out = new ArrayList<>();
      rows.forEach(r -> out.add(new SegmentationMessages.CategoryShare(r.getString("category"),
          r.getBigDecimal("share").setScale(4, java.math.RoundingMode.HALF_UP), r.getBigDecimal("spend").setScale(2),
          r.getInteger("purchases"), r.getOffsetDateTime("last_at").toInstant())));
      return out;
    });
  }

  /** 2.000 reads "2", 1.500 reads "1.5". */
  private static BigDecimal plain(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }

  /** Removes the purchase with this reference; answers its customer, or null when there was none. */
  Future<UUID> deletePurchase(SqlConnection conn, UUID org, String reference) {
    return conn.preparedQuery(DELETE_PURCHASE).execute(Tuple.of(org, reference))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }

  /**
   * The row is locked before counting: a purchase added concurrently then either committed first
   * (and is counted by the next statement) or waits for this commit and adds itself after.
   */
  Future<Void> recomputeStats(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(LOCK_STATS).execute(Tuple.of(org, customerId))
        .compose(v -> conn.preparedQuery(RECOMPUTE_STATS).execute(Tuple.of(org, customerId))).mapEmpty();
  }

  Future<Void> addToStats(SqlConnection conn, UUID org, Purchase p) {
    return conn.preparedQuery(ADD_TO_STATS).execute(Tuple.of(org, p.customerId(), p.amount(), utc(p.occurredAt()),
        p.source().equals("pos") ? 1 : 0, p.source().equals("pos") ? 0 : 1)).mapEmpty();
  }

  Future<CustomerStats> stats(SqlConnection conn, UUID org, UUID customerId) {
    return conn.preparedQuery(STATS).execute(Tuple.of(org, customerId)).map(rows -> rows.size() == 0 ? null : stats(rows.iterator().next()));
  }

  record Window(Instant last, long count, BigDecimal total) {}

  Future<Window> window(SqlConnection conn, UUID org, UUID customerId, Instant since) {
    return conn.preparedQuery(WINDOW).execute(Tuple.of(org, customerId, utc(since))).map(rows -> {
      Row r = rows.iterator().next();
      OffsetDateTime last = r.getOffsetDateTime("last_at");
      return new Window(last == null ? null : last.toInstant(), r.getLong("f"), r.getBigDecimal("m"));
    });
  }

  Future<String> tier(SqlConnection conn, UUID org, UUID customerId) {
    return com.zenlogic.customerservice.loyalty.LoyaltyDirectory.tier(conn, org, customerId);
  }

  Future<Void> saveScore(SqlConnection conn, UUID org, UUID customerId, Score s, Instant now) {
    return conn.preparedQuery(SAVE_SCORE).execute(Tuple.of(org, customerId, s.recency(), s.frequency(), s.monetary(), s.segment())
        .addValue(s.vip()).addValue(s.churnRisk()).addValue(utc(now))).mapEmpty();
  }

  Future<Bounds> bounds(SqlConnection conn, UUID org) {
    return conn.preparedQuery(BOUNDS).execute(Tuple.of(org)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Bounds(r.getInteger("window_days"), (JsonArray) r.getValue("recency_bounds"), (JsonArray) r.getValue("frequency_bounds"),
          (JsonArray) r.getValue("monetary_bounds"), (JsonArray) r.getValue("vip_bound"));
    });
  }

  Future<JsonObject> rescore(SqlConnection conn, UUID org, Instant windowStart, Instant now, SegmentPolicy p, String correlationId) {
    return conn.preparedQuery(RESCORE).execute(Tuple.of(org, utc(windowStart), utc(now), p.vipTopShare(), correlationId,
            p.vipIncludesPlatinum()).addValue(p.churnHighRatio()).addValue(p.churnMediumRatio()).addValue(p.singlePurchaseHighDays())
            .addValue(p.singlePurchaseMediumDays()))
        .onSuccess(rows -> OutboxSignal.afterCommit(conn))
        .map(rows -> (JsonObject) rows.iterator().next().getValue("result"));
  }

  Future<Void> saveBounds(SqlConnection conn, UUID org, int windowDays, JsonObject result, Instant now) {
    return conn.preparedQuery(SAVE_BOUNDS).execute(Tuple.of(org, windowDays, result.getJsonArray("r"), result.getJsonArray("f"),
        result.getJsonArray("m"), result.getJsonArray("v")).addValue(result.getInteger("scored")).addValue(utc(now))).mapEmpty();
  }

  /** Keyset on the order shown, (occurred_at, id) newest first: no row skipped or repeated across pages. */
  Future<List<SegmentationMessages.PurchaseRow>> history(SqlConnection conn, UUID org, UUID customerId, Instant beforeAt,
                                                         Long beforeId, int limit) {
    Tuple args = Tuple.of(org, customerId, beforeAt == null ? null : utc(beforeAt), beforeId, limit);
    return conn.preparedQuery(HISTORY).execute(args).map(rows -> {
      List<SegmentationMessages.PurchaseRow> out = new ArrayList<>();
      rows.forEach(r -> out.add(new SegmentationMessages.PurchaseRow(r.getLong("id"), r.getString("source"), r.getString("reference"),
          r.getBigDecimal("amount"), r.getOffsetDateTime("occurred_at").toInstant(), r.getString("local_id"), r.getInteger("item_count"))));
      return out;
    });
  }

  Future<List<SegmentationMessages.PurchaseLine>> purchaseLines(SqlConnection conn, UUID org, UUID customerId, List<Long> purchaseIds) {
    return conn.preparedQuery(PURCHASE_LINES).execute(Tuple.of(org, customerId, purchaseIds.toArray(Long[]::new))).map(rows -> {
      List<SegmentationMessages.PurchaseLine> out = new ArrayList<>();
      rows.forEach(r -> out.add(new SegmentationMessages.PurchaseLine(r.getLong("purchase_id"), r.getInteger("line"),
          new PurchaseItem(r.getString("product_id"), r.getString("variant_id"), r.getString("name"), r.getString("category"),
              r.getBigDecimal("quantity"), r.getBigDecimal("unit_price")))));
      return out;
    });
  }

  Future<List<SegmentationMessages.SegmentCount>> segmentCounts(SqlConnection conn, UUID org) {
    return conn.preparedQuery(SEGMENT_COUNTS).execute(Tuple.of(org)).map(rows -> {
      List<SegmentationMessages.SegmentCount> counts = new ArrayList<>();
      rows.forEach(r -> counts.add(new SegmentationMessages.SegmentCount(r.getString("segment"), r.getLong("n"))));
      return counts;
    });
  }

  Future<List<SegmentationMessages.SegmentMember>> segmentPage(SqlConnection conn, UUID org, String segment, UUID after, int limit) {
    return conn.preparedQuery(SEGMENT_PAGE).execute(Tuple.of(org, segment, after, limit)).map(rows -> {
      List<SegmentationMessages.SegmentMember> out = new ArrayList<>();
      rows.forEach(r -> out.add(new SegmentationMessages.SegmentMember(r.getUUID("customer_id"), r.getInteger("recency_score"),
          r.getInteger("frequency_score"), r.getInteger("monetary_score"), r.getBoolean("vip"), r.getString("churn_risk"),
          r.getBigDecimal("total_spent"), r.getInteger("purchase_count"),
          r.getOffsetDateTime("last_purchase_at") == null ? null : r.getOffsetDateTime("last_purchase_at").toInstant())));
      return out;
    });
  }

  Future<List<UUID>> tenants(io.vertx.sqlclient.Pool pool) {
    return pool.query(TENANTS).execute().map(rows -> {
      List<UUID> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getUUID(0)));
      return out;
    });
  }

  private static CustomerStats stats(Row r) {
    return new CustomerStats(r.getUUID("customer_id"), r.getInteger("purchase_count"), r.getBigDecimal("total_spent"),
        instant(r.getOffsetDateTime("first_purchase_at")), instant(r.getOffsetDateTime("last_purchase_at")), r.getInteger("pos_count"),
        r.getInteger("order_count"), new Score(r.getInteger("recency_score"), r.getInteger("frequency_score"),
        r.getInteger("monetary_score"), r.getString("segment"), r.getBoolean("vip"), r.getString("churn_risk")));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
