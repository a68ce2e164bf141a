package dev.labprovisioner.lti.rest;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lti.LtiRefusal;
import dev.labprovisioner.lti.deeplink.DeepLinks;
import dev.labprovisioner.lti.keys.ToolKeys;
import dev.labprovisioner.lti.launch.LaunchService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.Map;

/**
 * The LTI 1.3 endpoints an LMS and its users' browsers call (DESIGN §9): HTML and forms, no credential (the platform's
 * signed id_token is the credential). Thin: the rules live in {@link LaunchService} and {@link DeepLinks}. Every refusal
 * is a page saying why, logged with the reason only.
 */
@Path("/lti")
@PermitAll
@Tag(name = "LTI 1.3", description = "What an LMS and its users' browsers call: the OIDC login, the launch, deep linking and the tool's public "
        + "keys. HTML pages and form posts; the platform's signed id_token is the credential, so these take no Authorization header.")
@SecurityRequirements
public class LtiResource {

    private static final Logger LOG = Logger.getLogger(LtiResource.class);

    private final LaunchService launches;
    private final DeepLinks deepLinks;
    private final ToolKeys keys;
    private final String frameAncestors;

    LtiResource(LaunchService launches, DeepLinks deepLinks, ToolKeys keys, LabsConfig config) {
        this.launches = launches;
        this.deepLinks = deepLinks;
        this.keys = keys;
        this.frameAncestors = config.learner().frameAncestors();
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance refusal(String title, String detail, int status);

        static native TemplateInstance progress(CoursePage page);

        static native TemplateInstance catalog(DeepLinks.Request request);

        static native TemplateInstance deepLinkReturn(DeepLinks.Response response);
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "ltiLoginGet", summary = "OIDC login initiation (GET)", description = "The platform starts a launch here "
            + "(third-party-initiated login). Answers 302 to the platform's authorization endpoint with scope=openid, response_type=id_token, "
            + "response_mode=form_post, prompt=none, client_id, redirect_uri (the launch URL), login_hint, lti_message_hint and a fresh "
            + "state and nonce, kept server-side (one use, expiring; no cookie).")
    @APIResponse(responseCode = "302", description = "To the platform's authorization endpoint")
    @APIResponse(responseCode = "400", description = "No registration for the platform, or a parameter missing: an HTML page saying why",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response loginGet(@QueryParam("iss") String iss, @QueryParam("login_hint") String loginHint,
                             @QueryParam("target_link_uri") String targetLinkUri, @QueryParam("lti_message_hint") String ltiMessageHint,
                             @QueryParam("client_id") String clientId, @QueryParam("lti_deployment_id") String deploymentId) {
        return login(new LaunchService.Login(iss, loginHint, targetLinkUri, ltiMessageHint, clientId, deploymentId));
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "ltiLoginPost", summary = "OIDC login initiation (POST)", description = "As the GET, with the parameters as a form.")
    @APIResponse(responseCode = "302", description = "To the platform's authorization endpoint")
    @APIResponse(responseCode = "400", description = "No registration for the platform, or a parameter missing: an HTML page saying why",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response loginPost(@FormParam("iss") String iss, @FormParam("login_hint") String loginHint,
                              @FormParam("target_link_uri") String targetLinkUri, @FormParam("lti_message_hint") String ltiMessageHint,
                              @FormParam("client_id") String clientId, @FormParam("lti_deployment_id") String deploymentId) {
        return login(new LaunchService.Login(iss, loginHint, targetLinkUri, ltiMessageHint, clientId, deploymentId));
    }

    private Response login(LaunchService.Login login) {
        try {
            return Response.status(Response.Status.FOUND).location(launches.login(login)).build();
        } catch (LtiRefusal e) {
            return refused("login", e, login.iss());
        }
    }

    @POST
    @Path("launch")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "ltiLaunch", summary = "The launch (OIDC redirect URI)", description = "The platform's form post of id_token and "
            + "state. The id_token is checked (signature against the platform's JWKS, iss, aud/azp, exp/iat, the nonce once, the deployment, "
            + "version 1.3.0, the message type). A learner's LtiResourceLinkRequest gets their lab (created or reused) and a 303 to its page; "
            + "an Instructor's or Administrator's gets the course's progress; an LtiDeepLinkingRequest gets the catalog. Every refusal is an "
            + "HTML page saying why, and creates nothing.")
    @APIResponse(responseCode = "303", description = "A learner: to their lab's page")
    @APIResponse(responseCode = "200", description = "An instructor: the course's progress; deep linking: the catalog",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "A launch this tool cannot accept (state unknown or used, wrong version or message type, "
            + "no sub, ...): an HTML page", content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "401", description = "An id_token that does not verify (signature, issuer, audience, expiry, nonce, deployment): "
            + "an HTML page", content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "409", description = "The learner's lab changed state meanwhile: an HTML page (launch again)",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "503", description = "The platform's keys could not be fetched: an HTML page (try again)",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response launch(@FormParam("id_token") String idToken, @FormParam("state") String state) {
        return handleLaunch(idToken, state);
    }

    @POST
    @Path("deep-link")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "ltiDeepLinkLaunch", summary = "The deep-linking (content selection) launch", description = "The same as the "
            + "launch, for LMSs that want a URL of its own for content selection: an LtiDeepLinkingRequest gets the catalog.")
    @APIResponse(responseCode = "303", description = "A learner's resource link: to their lab's page")
    @APIResponse(responseCode = "200", description = "The catalog (or an instructor's course progress)",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "A launch this tool cannot accept: an HTML page",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "401", description = "An id_token that does not verify: an HTML page",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "503", description = "The platform's keys could not be fetched: an HTML page",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response deepLinkLaunch(@FormParam("id_token") String idToken, @FormParam("state") String state) {
        return handleLaunch(idToken, state);
    }

    private Response handleLaunch(String idToken, String state) {
        try {
            LaunchService.Outcome outcome = launches.launch(idToken, state);
            if (outcome instanceof LaunchService.LearnerLab lab) {
                return Response.seeOther(lab.page()).build();
            }
            if (outcome instanceof LaunchService.InstructorProgress progress) {
                return page(Response.ok(Templates.progress(CoursePage.of(progress))), "'self'");
            }
            return page(Response.ok(Templates.catalog(((LaunchService.Catalog) outcome).request())), "'self'");
        } catch (LtiRefusal e) {
            return refused("launch", e, null);
        }
    }

    @POST
    @Path("deep-link/choose")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(operationId = "ltiDeepLinkChoose", summary = "The catalog's choice", description = "Answers a page whose form POSTs the signed "
            + "LtiDeepLinkingResponse (form field JWT) to the platform's deep_link_return_url: by itself (a script) or with its button "
            + "(without JavaScript). One ltiResourceLink: the lab's title, the template as custom parameter 'template', and a lineItem "
            + "{scoreMaximum, label, resourceId}; the request's 'data' is echoed.")
    @APIResponse(responseCode = "200", description = "The form that returns the choice to the LMS",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "An unknown, used or expired catalog, or an unknown template: an HTML page",
            content = @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)))
    public Response choose(@FormParam("request") String request, @FormParam("template") String template) {
        try {
            DeepLinks.Response response = deepLinks.choose(request, template);
            return page(Response.ok(Templates.deepLinkReturn(response)), origin(response.returnUrl()));
        } catch (LtiRefusal e) {
            return refused("deep-link choice", e, null);
        }
    }

    @GET
    @Path("jwks")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "ltiJwks", summary = "The tool's public keys (JWKS)", description = "The platform verifies the tool's signatures "
            + "(deep-linking responses, client assertions) with these: the current key and those rotated out less than labs.lti.key-overlap "
            + "ago, each with its kid. Public keys only.")
    @APIResponse(responseCode = "200", description = "A JSON Web Key Set", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = JwksView.class)))
    public Map<String, Object> jwks() {
        return keys.publicKeys().toJSONObject(true);
    }

    private Response refused(String what, LtiRefusal e, String iss) {
        LOG.infof("LTI %s refused (%d): %s%s", what, e.status(), e.detail(), iss == null ? "" : " [iss " + iss + "]");
        var builder = Response.status(e.status()).entity(Templates.refusal(e.title(), e.detail(), e.status()));
        if (e.status() == 503) {
            builder.header("Retry-After", 5);
        }
        return page(builder, "'self'");
    }

    /** The tool's pages run only their own script and style; LMSs may frame them where labs.learner.frame-ancestors says. */
    private Response page(Response.ResponseBuilder builder, String formAction) {
        return builder.type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                        + "form-action " + formAction + "; base-uri 'none'; frame-ancestors " + frameAncestors)
                .build();
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
