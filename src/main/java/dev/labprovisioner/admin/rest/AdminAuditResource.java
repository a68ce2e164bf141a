package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AuditLog;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: audit log", description = "Every admin action, who did it and when (admin credential).")
@SecurityRequirement(name = "bearer")
public class AdminAuditResource {

    private final AuditLog audit;

    AdminAuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Operation(operationId = "listAuditEntries", summary = "The audit log",
            description = "Every admin action (API client created or revoked, labs for a roster, course extended, force teardown, reset), "
                    + "newest first: who, when, what on which target. Never a secret.")
    @APIResponse(responseCode = "200", description = "A page of the log", content = @Content(schema = @Schema(implementation = AuditPageView.class)))
    @APIResponse(responseCode = "400", description = "Bad filter or paging", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public AuditPageView list(@Parameter(description = "Only this action, e.g. LAB_RESET") @QueryParam("action") String action,
                              @Parameter(description = "Only this target: a client, course or lab id") @QueryParam("target") String target,
                              @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("20") String size) {
        var result = audit.page(action, target, Paging.number("page", page), Paging.number("size", size));
        return new AuditPageView(result.items().stream().map(AuditEntryView::of).toList(), result.total());
    }
}
