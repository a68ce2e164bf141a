package dev.labprovisioner.admin.rest;

import dev.labprovisioner.lab.rest.LabView;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The roster's labs, in the roster's order. */
public record BulkCreateView(
        @Schema(description = "Labs this call created") long created,
        @Schema(description = "Learners who already had a live lab of this template in this course from this credential") long existing,
        List<LabView> labs) {
}
