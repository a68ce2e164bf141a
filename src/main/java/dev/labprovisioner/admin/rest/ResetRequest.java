package dev.labprovisioner.admin.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record ResetRequest(
        @Schema(minimum = "1", description = "Minutes until the fresh lab expires: 1 to labs.ttl.max-minutes (480 by default); default 120", examples = "120") Integer ttlMinutes) {
}
