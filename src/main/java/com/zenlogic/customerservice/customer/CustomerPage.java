package com.zenlogic.customerservice.customer;

import java.util.List;

/** One page of a search and where the next one starts (null on the last page). */
public record CustomerPage(List<Customer> items, CustomerQuery.Position next) {}
