package dev.labprovisioner.admin.rest;

import dev.labprovisioner.lab.rest.LabView;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

public record CourseExtensionView(
        @Schema(description = "Live labs whose expiresAt moved") int extended,
        @Schema(description = "Those labs, with their new expiresAt") List<LabView> labs,
        @Schema(description = "Labs that could not get all the time asked for: they now expire at the end of their maximum lifetime")
        List<LimitedLabView> limited) {
}
