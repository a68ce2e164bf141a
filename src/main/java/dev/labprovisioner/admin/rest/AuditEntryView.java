package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AuditAction;
import dev.labprovisioner.admin.AuditEntry;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

public record AuditEntryView(
        long id,
        Instant at,
        @Schema(description = "The credential that acted: an API client's id, or 'admin' for the bootstrap token") String actor,
        @Schema(nullable = true, description = "The API client's name when it acted") String actorName,
        AuditAction action,
        @Schema(description = "A client id, a course id or a lab id") String target,
        @Schema(nullable = true) String detail) {

    static AuditEntryView of(AuditEntry e) {
        return new AuditEntryView(e.id, e.at, e.actor, e.actorName, e.action, e.target, e.detail);
    }
}
