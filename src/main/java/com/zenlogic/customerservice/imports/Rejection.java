package com.zenlogic.customerservice.imports;

/** A row an import did not apply, and why: the field at fault (or "row") and the rule's message. */
public record Rejection(long rowNumber, String externalId, String field, String reason) {}
