package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.lab.rest.LabListView;
import dev.labprovisioner.lab.rest.LabView;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** Any learner's lab, whichever client asked for it: find, force down, reset. */
@Path("/api/v1/admin/labs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: labs", description = "Every client's labs: list, force teardown, reset a learner's lab (admin credential).")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class AdminLabResource {

    private final LabService labs;
    private final AdminService admin;
    private final LearnerLinks links;
    private final SecurityIdentity identity;

    AdminLabResource(LabService labs, AdminService admin, LearnerLinks links, SecurityIdentity identity) {
        this.labs = labs;
        this.admin = admin;
        this.links = links;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listAllLabs", summary = "Labs of every client", description = "By course, state and learner, across all API clients. Newest first.")
    @APIResponse(responseCode = "200", description = "A page of labs", content = @Content(schema = @Schema(implementation = LabListView.class)))
    @APIResponse(responseCode = "400", description = "Bad filter or paging", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabListView list(@QueryParam("courseId") String courseId, @QueryParam("state") String state,
                            @QueryParam("learnerId") String learnerId,
                            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("20") String size) {
        // An admin caller: LabService lists every client's labs for it.
        var result = labs.list(Caller.of(identity), learnerId, courseId, state, Paging.number("page", page), Paging.number("size", size));
        return new LabListView(result.items().stream().map(this::view).toList(), result.total());
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "forceLabTeardown", summary = "Force teardown of any lab",
            description = "Whoever owns it. State goes TEARING_DOWN then DELETED; the record is kept. Again is harmless. Audited.")
    @APIResponse(responseCode = "202", description = "Teardown accepted", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "404", description = "No such lab", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response forceTeardown(@PathParam("id") UUID id) {
        return Response.accepted(view(admin.forceTeardown(Caller.of(identity), id))).build();
    }

    @POST
    @Path("{id}/reset")
    @Operation(operationId = "resetLab", summary = "Reset a learner's lab",
            description = "Tears the lab down and asks for a fresh one for the same learner, course, template and owning client (so the LMS "
                    + "sees it too). Safe to repeat: once the lab is replaced, the answer is the replacement (200) and nothing new is made. Audited.")
    @APIResponse(responseCode = "202", description = "The fresh lab, being provisioned", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "200", description = "The learner's live lab that already replaced this one", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "400", description = "Bad ttlMinutes", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such lab", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response reset(@PathParam("id") UUID id, @RequestBody(required = false) ResetRequest request) {
        var reset = admin.reset(Caller.of(identity), id, request == null ? null : request.ttlMinutes());
        return Response.status(reset.isNew() ? Response.Status.ACCEPTED : Response.Status.OK)
                .header(HttpHeaders.LOCATION, links.apiUrl(reset.replacement().id)).entity(view(reset.replacement())).build();
    }

    private LabView view(Lab lab) {
        return LabView.of(lab, links.url(lab.id));
    }
}
