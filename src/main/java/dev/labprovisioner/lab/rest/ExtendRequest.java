package dev.labprovisioner.lab.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record ExtendRequest(
        @Schema(required = true, minimum = "1", description = "Minutes to add: 1 to labs.ttl.max-minutes (480 by default)", examples = "60")
        Integer minutes) {
}
