package dev.labprovisioner.lti.ags.rest;

import dev.labprovisioner.lti.ags.ScoreDeliveries;
import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The LTI scores sent to the platforms' gradebooks: thin; the rules live in {@link ScoreDeliveries}. */
@Path("/api/v1/admin/lti/deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Scopes.ADMIN)
@Tag(name = "Admin: LTI")
@SecurityRequirement(name = "bearer")
public class LtiScoreDeliveryResource {

    private final ScoreDeliveries scores;

    LtiScoreDeliveryResource(ScoreDeliveries scores) {
        this.scores = scores;
    }

    @GET
    @Operation(operationId = "listLtiScoreDeliveries", summary = "The scores sent to LTI platforms' gradebooks",
            description = "Every AGS score sent or being sent (the lti-ags outbox), newest first, optionally of one state: the lab, the "
                    + "platform registration, the context, the line item or container, the score as POSTed, and every attempt (time, "
                    + "status, latency, the answer's first bytes or the error). FAILED ones were refused by the platform (a 4xx other "
                    + "than 408/429) or gave up after the retry schedule.")
    @APIResponse(responseCode = "200", description = "A page of score deliveries", content = @Content(schema = @Schema(implementation = ScoreDeliveryListView.class)))
    @APIResponse(responseCode = "400", description = "Bad paging or state", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ScoreDeliveryListView list(@QueryParam("state") @Schema(enumeration = {"PENDING", "DELIVERED", "FAILED"}) String state,
                                      @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("20") String size) {
        var result = scores.page(state, Paging.number("page", page), Paging.number("size", size));
        return new ScoreDeliveryListView(result.items().stream().map(ScoreDeliveryView::of).toList(), result.total());
    }

    @POST
    @Path("{id}/redeliver")
    @Operation(operationId = "redeliverLtiScore", summary = "Send a score again",
            description = "Now, the same score with its original timestamp (a platform keeps the newest score it has by timestamp), "
                    + "retried on the schedule from its start.")
    @APIResponse(responseCode = "202", description = "Queued", content = @Content(schema = @Schema(implementation = ScoreDeliveryView.class)))
    @APIResponse(responseCode = "403", description = "Not an admin credential", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such score delivery", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Its LTI registration was removed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response redeliver(@PathParam("id") long id) {
        return Response.accepted(ScoreDeliveryView.of(scores.redeliver(id))).build();
    }
}
