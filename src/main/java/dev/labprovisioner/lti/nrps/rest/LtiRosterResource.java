package dev.labprovisioner.lti.nrps.rest;

import dev.labprovisioner.lab.rest.LabView;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.lti.nrps.RosterLabs;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/** Labs for an LTI course's roster (NRPS): thin; the rules live in {@link RosterLabs}. */
@Path("/api/v1/admin/lti/platforms/{id}/contexts/{contextId}/roster-labs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: LTI")
@SecurityRequirement(name = "bearer")
public class LtiRosterResource {

    private final RosterLabs rosterLabs;
    private final LearnerLinks links;
    private final SecurityIdentity identity;

    LtiRosterResource(RosterLabs rosterLabs, LearnerLinks links, SecurityIdentity identity) {
        this.rosterLabs = rosterLabs;
        this.links = links;
        this.identity = identity;
    }

    @POST
    @Operation(operationId = "createLtiRosterLabs", summary = "Labs for an LTI course's roster (Names and Role Provisioning)",
            description = "Reads the course's memberships from the platform (the NRPS memberships URL that a launch from this context "
                    + "recorded, the instructor's included; every page, following Link rel=\"next\") and makes a lab for every active "
                    + "Learner, as the roster bulk create does: learner id = the LTI user_id (the launch's sub), course id = the context id, "
                    + "owned by the registration, so that each learner's own launch opens the same lab. Instructors and inactive members "
                    + "get none. Where the context's launches gave the AGS line items container and the score scope, each lab's scores go "
                    + "to the gradebook from then on, before the learner ever launches (to the line item found or made with resourceId = "
                    + "the template). Idempotent: a second call creates nothing new. Audited.")
    @APIResponse(responseCode = "200", description = "The learners' labs, created or already there", content = @Content(schema = @Schema(implementation = RosterLabsView.class)))
    @APIResponse(responseCode = "400", description = "A bad context id, template or TTL", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such registration", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "No launch from this context (learner, instructor or deep linking) has recorded a memberships URL yet", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "The platform answered with an error or something unusable; nothing was created", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The platform could not be reached, or failed for now; nothing was created, try again", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RosterLabsView create(@PathParam("id") UUID id, @PathParam("contextId") String contextId, RosterLabsRequest request) {
        var result = rosterLabs.createLabs(Caller.of(identity), id, contextId, request == null ? null : request.template(),
                request == null ? null : request.ttlMinutes());
        return new RosterLabsView(result.registrationId(), result.contextId(), result.template(), result.members(), result.pages(),
                result.created(), result.existing(), result.labs().stream().map(c -> LabView.of(c.lab(), links.url(c.lab().id))).toList(),
                result.skipped().stream().map(s -> new RosterLabsView.SkippedView(s.userId(), s.reason())).toList());
    }
}
