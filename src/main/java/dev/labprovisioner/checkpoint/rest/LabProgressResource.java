package dev.labprovisioner.checkpoint.rest;

import dev.labprovisioner.checkpoint.CheckpointService;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

import java.util.UUID;

/** A lab's progress and its checkpoints' validation, for the LMS (DESIGN §7). */
@Path("/api/v1/labs/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Progress", description = "A lab's checkpoints: judged from the live cluster, the lab's timeline and its database, then scored.")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "The credential lacks the scope", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "404", description = "No such lab (or not this client's), or no such checkpoint", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class LabProgressResource {

    private final LabService labs;
    private final CheckpointService checkpoints;
    private final SecurityIdentity identity;

    LabProgressResource(LabService labs, CheckpointService checkpoints, SecurityIdentity identity) {
        this.labs = labs;
        this.checkpoints = checkpoints;
        this.identity = identity;
    }

    @GET
    @Path("progress")
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "getLabProgress", summary = "The lab's progress", description = "Score, maxScore, completed (every REQUIRED checkpoint passed) and each checkpoint's "
            + "latest result with its evidence. Reading it validates nothing.")
    @APIResponse(responseCode = "200", description = "The progress", content = @Content(schema = @Schema(implementation = ProgressView.class)))
    public ProgressView progress(@PathParam("id") UUID id) {
        return checkpoints.progress(labs.get(Caller.of(identity), id));
    }

    @POST
    @Path("validate")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "validateLab", summary = "Validate every checkpoint", description = "Runs every checkpoint's check against the live cluster, the lab's timeline and "
            + "its database (never a check that acts), records each result, and returns the whole progress. A PASSED checkpoint stays PASSED.")
    @APIResponse(responseCode = "200", description = "The progress after validation", content = @Content(schema = @Schema(implementation = ProgressView.class)))
    @APIResponse(responseCode = "409", description = "The lab is not READY", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ProgressView validateAll(@PathParam("id") UUID id) {
        return checkpoints.validateAll(labs.get(Caller.of(identity), id));
    }

    @POST
    @Path("checkpoints/{checkpointId}/validate")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "validateCheckpoint", summary = "Validate one checkpoint", description = "Records and returns the checkpoint's result. With act=true, a checkpoint whose "
            + "entry has an 'acts' text first does what that text says (pod-identity-survives-deletion: the service deletes pod postgres-0, waits for "
            + "the StatefulSet to bring it back Ready, then re-reads the data). Acting never deletes a volume or data.")
    @APIResponse(responseCode = "200", description = "The checkpoint's result", content = @Content(schema = @Schema(implementation = CheckpointView.class)))
    @APIResponse(responseCode = "400", description = "act=true for a checkpoint that cannot act", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The lab is not READY, or the lab is not in a state the acting check can start from", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CheckpointView validate(@PathParam("id") UUID id, @PathParam("checkpointId") String checkpointId,
                                   @Parameter(description = "Let the check act first (opt-in; only checkpoints with an 'acts' text)")
                                   @QueryParam("act") @DefaultValue("false") boolean act) {
        return checkpoints.validate(labs.get(Caller.of(identity), id), checkpointId, act);
    }
}
