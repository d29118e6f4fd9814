package com.zenlogic.customerservice.customer;

import java.util.List;

/** A page of an append-only history, newest first, and the id the next page starts below (null on the last page). */
public record HistoryPage<T>(List<T> items, Long nextBeforeId) {}
