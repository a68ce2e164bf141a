package dev.labprovisioner.lti.ags.rest;

import java.util.List;

/** A page of LTI score deliveries, newest first. */
public record ScoreDeliveryListView(List<ScoreDeliveryView> items, long total) {
}
