package dev.labprovisioner.webhook.rest;

import java.util.List;

/** A page of a subscription's deliveries, newest first. */
public record WebhookDeliveryListView(List<WebhookDeliveryView> items, long total) {
}
