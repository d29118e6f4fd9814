package com.zenlogic.customerservice.webhooks;

import java.util.List;

/** What a subscriber asks for; on a change, null means "leave as it is". */
public record WebhookSpec(String url, List<String> eventTypes, String description, Boolean enabled, String secret,
                          boolean descriptionCleared) {}
