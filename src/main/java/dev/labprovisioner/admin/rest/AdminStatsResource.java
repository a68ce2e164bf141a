package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/admin/stats")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: stats", description = "Labs by state and how long they take to become ready (admin credential).")
@SecurityRequirement(name = "bearer")
public class AdminStatsResource {

    private final AdminService admin;

    AdminStatsResource(AdminService admin) {
        this.admin = admin;
    }

    @GET
    @Operation(operationId = "getLabStats", summary = "Labs by state and time to READY",
            description = "How many labs are in each state now, and the median and 95th percentile of the seconds from the start of "
                    + "provisioning to READY over every lab that got there.")
    @APIResponse(responseCode = "200", description = "The figures", content = @Content(schema = @Schema(implementation = LabStatsView.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabStatsView stats() {
        return LabStatsView.of(admin.stats());
    }
}
