package dev.labprovisioner.webhook.rest;

import dev.labprovisioner.problem.Paging;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import dev.labprovisioner.webhook.WebhookService;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/** Webhook subscriptions (DESIGN §10): thin; the rules live in {@link WebhookService}. */
@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks", description = "Be told, not poll: lab and checkpoint events POSTed to the LMS's URL, signed as Standard Webhooks "
        + "say, retried until delivered, in order per lab. Each subscription is its API client's own (scopes labs:read and labs:write).")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "403", description = "The credential lacks the scope", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class WebhookResource {

    private final WebhookService webhooks;
    private final SecurityIdentity identity;

    WebhookResource(WebhookService webhooks, SecurityIdentity identity) {
        this.webhooks = webhooks;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "createWebhook", summary = "Subscribe a URL to events",
            description = "It receives the events of this client's labs. The secret that verifies the signatures is in this answer only.")
    @APIResponse(responseCode = "201", description = "Subscribed", content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "400", description = "Bad URL or event type", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A destination this service may not call (plain http, or a loopback, link-local or private "
            + "address, in real mode), or too many subscriptions", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(CreateWebhookRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("A JSON body {\"url\", \"events\"} is required.");
        }
        var created = webhooks.create(Caller.of(identity), request.url(), request.events());
        return Response.created(URI.create("/api/v1/webhooks/" + created.subscription().id))
                .entity(WebhookView.of(created.subscription(), created.secret())).build();
    }

    @GET
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "listWebhooks", summary = "List webhook subscriptions", description = "A client sees its own; admin sees all. Secrets are never shown again.")
    @APIResponse(responseCode = "200", description = "The subscriptions, oldest first",
            content = @Content(schema = @Schema(implementation = WebhookView.class, type = SchemaType.ARRAY)))
    public List<WebhookView> list() {
        return webhooks.list(Caller.of(identity)).stream().map(s -> WebhookView.of(s, null)).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "getWebhook", summary = "Get a webhook subscription")
    @APIResponse(responseCode = "200", description = "The subscription", content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "404", description = "No such subscription (or not this client's)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public WebhookView get(@PathParam("id") UUID id) {
        return WebhookView.of(webhooks.get(Caller.of(identity), id), null);
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "deleteWebhook", summary = "Delete a webhook subscription", description = "Nothing more is sent to it; its deliveries are forgotten.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such subscription", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") UUID id) {
        webhooks.delete(Caller.of(identity), id);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/rotate-secret")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "rotateWebhookSecret", summary = "Replace a subscription's signing secret",
            description = "The new secret is in this answer only. The previous one goes on signing next to it (webhook-signature then "
                    + "holds both signatures, space-separated) until previousSecretExpiresAt (labs.webhooks.secret-overlap, 24 h by "
                    + "default), so the receiver can switch without missing a delivery. Rotating again during the overlap ends the "
                    + "older secret's overlap at once.")
    @APIResponse(responseCode = "200", description = "Rotated; the new secret", content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "404", description = "No such subscription (or not this client's)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public WebhookView rotateSecret(@PathParam("id") UUID id) {
        var rotated = webhooks.rotateSecret(Caller.of(identity), id);
        return WebhookView.of(rotated.subscription(), rotated.secret());
    }

    @GET
    @Path("{id}/deliveries")
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "listWebhookDeliveries", summary = "A subscription's deliveries",
            description = "Every event sent or being sent to it, newest first, each with every attempt (time, status, latency, the answer's first bytes).")
    @APIResponse(responseCode = "200", description = "A page of deliveries", content = @Content(schema = @Schema(implementation = WebhookDeliveryListView.class)))
    @APIResponse(responseCode = "400", description = "Bad paging", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such subscription", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public WebhookDeliveryListView deliveries(@PathParam("id") UUID id,
                                              @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("20") String size) {
        var result = webhooks.deliveries(Caller.of(identity), id, Paging.number("page", page), Paging.number("size", size));
        return new WebhookDeliveryListView(result.items().stream().map(WebhookDeliveryView::of).toList(), result.total());
    }

    @POST
    @Path("{id}/deliveries/{deliveryId}/redeliver")
    @RolesAllowed(Scopes.LABS_WRITE)
    @Operation(operationId = "redeliverWebhook", summary = "Send a delivery again",
            description = "Now, with the same webhook-id (receivers deduplicate by it), and retried on the schedule from its start.")
    @APIResponse(responseCode = "202", description = "Queued", content = @Content(schema = @Schema(implementation = WebhookDeliveryView.class)))
    @APIResponse(responseCode = "404", description = "No such subscription or delivery", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The subscription is disabled", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response redeliver(@PathParam("id") UUID id, @PathParam("deliveryId") long deliveryId) {
        return Response.accepted(WebhookDeliveryView.of(webhooks.redeliver(Caller.of(identity), id, deliveryId))).build();
    }

}
