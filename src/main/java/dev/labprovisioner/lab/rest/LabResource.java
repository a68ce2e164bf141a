package dev.labprovisioner.lab.rest;

import dev.labprovisioner.lab.CreateThreads;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;
import java.util.UUID;

/** The LMS's API (DESIGN §7): thin; the rules live in {@link LabService}. */
@Path("/api/v1/labs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Labs", description = "The LMS's labs: ask for one per learner, poll it to READY, extend it, tear it down (an API client's credential, scopes labs:read and labs:write).")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "The credential lacks the scope", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class LabResource {

    private final LabService labs;
    private final LearnerLinks links;
    private final SecurityIdentity identity;
    private final CreateThreads createThreads;

    LabResource(LabService labs, LearnerLinks links, SecurityIdentity identity, CreateThreads createThreads) {
        this.labs = labs;
        this.createThreads = createThreads;
        this.links = links;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "createLab", summary = "Ask for a lab for a learner",
            description = "Idempotent: while the learner has a live lab of this template in this course from this client, "
                    + "or for a repeated Idempotency-Key, the answer is 200 with that lab. Provisioning is asynchronous: poll GET or list.")
    @APIResponse(responseCode = "202", description = "Accepted; the lab is being provisioned", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "200", description = "The same lab as an earlier create", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "400", description = "Bad input", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with another body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Waited too long for the database (labs.api.create-queue-timeout); nothing was created, retry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<RestResponse<LabView>> create(CreateLabRequest request,
                           @Parameter(description = "Makes a retried create return the first one's lab: printable ASCII without spaces, 1 to 200 characters",
                                   schema = @Schema(type = SchemaType.STRING, pattern = "^" + LabService.IDEMPOTENCY_KEY_PATTERN + "$", maxLength = 200))
                           @HeaderParam("Idempotency-Key") String idempotencyKey) {
        // On the I/O thread: the body is already read; only the SQL goes to the create threads.
        Caller caller = Caller.of(identity);
        var newLab = request == null ? null
                : new LabService.NewLab(request.learnerId(), request.courseId(), request.template(), request.ttlMinutes());
        return createThreads.run(() -> labs.create(caller, newLab, idempotencyKey)).map(created ->
                // Typed, so that the JSON writer is chosen at build time rather than looked up on every create. The
                // Location is on the public base URL, set as is: resolving a path against the request's absolute
                // URI (forwarded headers and all) cost more CPU than the insert.
                RestResponse.ResponseBuilder.create(created.isNew() ? RestResponse.Status.ACCEPTED : RestResponse.Status.OK, view(created.lab()))
                        .header(HttpHeaders.LOCATION, links.apiUrl(created.lab().id)).build());
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "getLab", summary = "Get a lab")
    @APIResponse(responseCode = "200", description = "The lab", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "404", description = "No such lab (or not this client's)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabView get(@PathParam("id") UUID id) {
        return view(labs.get(Caller.of(identity), id));
    }

    @GET
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "listLabs", summary = "List labs", description = "A client sees its own labs; admin sees all. Newest first.")
    @APIResponse(responseCode = "200", description = "A page of labs", content = @Content(schema = @Schema(implementation = LabListView.class)))
    @APIResponse(responseCode = "400", description = "Bad filter or paging", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabListView list(@QueryParam("learnerId") String learnerId, @QueryParam("courseId") String courseId,
                            @QueryParam("state") String state,
                            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("20") String size) {
        var result = labs.list(Caller.of(identity), learnerId, courseId, state, Paging.number("page", page), Paging.number("size", size));
        return new LabListView(result.items().stream().map(this::view).toList(), result.total());
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "deleteLab", summary = "Tear a lab down", description = "State goes TEARING_DOWN then DELETED; the record is kept as history. Deleting again is harmless.")
    @APIResponse(responseCode = "202", description = "Teardown accepted", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "404", description = "No such lab", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") UUID id) {
        return Response.accepted(view(labs.delete(Caller.of(identity), id))).build();
    }

    @POST
    @Path("{id}/extend")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "extendLab", summary = "Extend a live lab", description = "Adds minutes to expiresAt (from now if already past), up to the maximum lifetime.")
    @APIResponse(responseCode = "200", description = "The lab with its new expiresAt", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "409", description = "The lab is not live", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Beyond the maximum lifetime", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabView extend(@PathParam("id") UUID id, ExtendRequest request) {
        return view(labs.extend(Caller.of(identity), id, request == null ? null : request.minutes()));
    }

    @POST
    @Path("{id}/retry")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "retryLab", summary = "Retry a FAILED lab", description = "Back to REQUESTED; objects already in the cluster are kept and completed.")
    @APIResponse(responseCode = "200", description = "The lab, REQUESTED again", content = @Content(schema = @Schema(implementation = LabView.class)))
    @APIResponse(responseCode = "409", description = "The lab is not FAILED", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public LabView retry(@PathParam("id") UUID id) {
        return view(labs.retry(Caller.of(identity), id));
    }

    @GET
    @Path("{id}/events")
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "listLabEvents", summary = "A lab's history", description = "Every state change with its time and cause, oldest first.")
    @APIResponse(responseCode = "200", description = "The events", content = @Content(schema = @Schema(implementation = LabEventView.class, type = SchemaType.ARRAY)))
    public List<LabEventView> events(@PathParam("id") UUID id) {
        return labs.history(Caller.of(identity), id).stream().map(LabEventView::of).toList();
    }

    private LabView view(Lab lab) {
        return LabView.of(lab, links.url(lab.id));
    }

}
