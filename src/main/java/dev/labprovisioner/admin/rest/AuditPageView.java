package dev.labprovisioner.admin.rest;

import java.util.List;

public record AuditPageView(List<AuditEntryView> items, long total) {
}
