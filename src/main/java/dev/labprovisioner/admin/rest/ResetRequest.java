package dev.labprovisioner.admin.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record ResetRequest(
        @Schema(description = "Minutes until the fresh lab expires (default 120)", examples = "120") Integer ttlMinutes) {
}
