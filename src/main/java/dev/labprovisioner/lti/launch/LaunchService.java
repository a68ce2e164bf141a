package dev.labprovisioner.lti.launch;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.learner.LearnerLinks;
import dev.labprovisioner.lti.LtiClaims;
import dev.labprovisioner.lti.LtiRefusal;
import dev.labprovisioner.lti.deeplink.DeepLinks;
import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.registration.ToolUrls;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OIDC third-party-initiated login and the launch of DESIGN §9. The login answers with the redirect to the platform's
 * authorization endpoint; the launch checks the id_token ({@link IdTokens}) and then: a learner's resource link gets
 * their lab (created or reused, idempotent on registration, sub, context and template) and the redirect to its page; an
 * instructor's gets the course's progress; a deep-linking request gets the catalog ({@link DeepLinks}).
 */
@ApplicationScoped
public class LaunchService {

    private static final Logger LOG = Logger.getLogger(LaunchService.class);
    /** The owner of the labs a registration's launches make: "lti:" and its id (labs.owner holds 64 characters). */
    public static final String OWNER_PREFIX = "lti:";

    private final LoginStates states;
    private final IdTokens idTokens;
    private final ToolUrls urls;
    private final LabService labs;
    private final AdminService admin;
    private final LabTemplateCatalog catalog;
    private final LearnerLinks links;
    private final DeepLinks deepLinks;
    private final LabLinks labLinks;
    private final LtiContexts contexts;

    LaunchService(LoginStates states, IdTokens idTokens, ToolUrls urls, LabService labs, AdminService admin, LabTemplateCatalog catalog,
                  LearnerLinks links, DeepLinks deepLinks, LabLinks labLinks, LtiContexts contexts) {
        this.states = states;
        this.idTokens = idTokens;
        this.urls = urls;
        this.labs = labs;
        this.admin = admin;
        this.catalog = catalog;
        this.links = links;
        this.deepLinks = deepLinks;
        this.labLinks = labLinks;
        this.contexts = contexts;
    }

    /** The login initiation's parameters (LTI 1.3 Core §5.1.1, OIDC third-party-initiated login). */
    public record Login(String iss, String loginHint, String targetLinkUri, String ltiMessageHint, String clientId, String deploymentId) {
    }

    /** What a launch answers with. */
    public sealed interface Outcome {
    }

    /** A learner's lab: 303 to its page. */
    public record LearnerLab(UUID labId, URI page) implements Outcome {
    }

    /** An instructor's launch: the course's progress. */
    public record InstructorProgress(LtiRegistration registration, String contextTitle, AdminService.CourseProgress progress) implements Outcome {
    }

    /** A deep-linking request: the catalog to choose from. */
    public record Catalog(DeepLinks.Request request) implements Outcome {
    }

    /** The platform's authorization endpoint with a fresh state and nonce, as §9 lists the parameters. */
    public URI login(Login login) {
        if (login.iss() == null || login.iss().isBlank()) {
            throw LtiRefusal.badRequest("The login initiation names no platform (iss).");
        }
        if (login.loginHint() == null || login.loginHint().isBlank()) {
            throw LtiRefusal.badRequest("The login initiation carries no login_hint.");
        }
        LtiRegistration registration = registration(login);
        if (login.deploymentId() != null && !login.deploymentId().isBlank() && !registration.hasDeployment(login.deploymentId())) {
            throw LtiRefusal.badRequest("The platform's deployment id is not registered with this tool; an administrator adds it to the "
                    + "LTI registration '" + registration.name + "'.");
        }
        LoginStates.Issued issued = states.issue(registration.id);
        var query = new LinkedHashMap<String, String>();
        query.put("scope", "openid");
        query.put("response_type", "id_token");
        query.put("response_mode", "form_post");
        query.put("prompt", "none");
        query.put("client_id", registration.clientId);
        query.put("redirect_uri", urls.launch());
        query.put("login_hint", login.loginHint());
        if (login.ltiMessageHint() != null) {
            query.put("lti_message_hint", login.ltiMessageHint());
        }
        query.put("state", issued.state());
        query.put("nonce", issued.nonce());
        return URI.create(withQuery(registration.authLoginUrl, query));
    }

    private static LtiRegistration registration(Login login) {
        List<LtiRegistration> candidates = QuarkusTransaction.joiningExisting().call(() -> LtiRegistration.byIssuer(login.iss()));
        if (login.clientId() != null && !login.clientId().isBlank()) {
            return candidates.stream().filter(r -> r.clientId.equals(login.clientId())).findFirst().orElseThrow(() -> LtiRefusal.badRequest(
                    "This tool has no LTI registration for this platform (issuer and client id); an administrator registers it first."));
        }
        if (candidates.isEmpty()) {
            throw LtiRefusal.badRequest("This tool has no LTI registration for this platform (issuer); an administrator registers it first.");
        }
        if (candidates.size() > 1) {
            throw LtiRefusal.badRequest("This platform has several LTI registrations here, and its login initiation names no client_id "
                    + "to tell them apart.");
        }
        return candidates.get(0);
    }

    /** Checks the id_token against the state's registration and nonce, then does what the message asks. */
    public Outcome launch(String idToken, String state) {
        LoginStates.Taken taken = states.take(state).orElseThrow(() -> LtiRefusal.badRequest(
                "This launch's login state is unknown, already used or expired. Launch the tool again from the LMS."));
        LtiRegistration registration = QuarkusTransaction.joiningExisting().call(() -> LtiRegistration.byId(taken.registrationId()))
                .orElseThrow(() -> LtiRefusal.badRequest("The LTI registration of this launch was removed."));
        JWTClaimsSet claims = idTokens.validate(idToken, registration, taken.nonce());
        if (LtiClaims.DEEP_LINKING_REQUEST.equals(claims.getClaim(LtiClaims.MESSAGE_TYPE))) {
            // Often the instructor's first launch of a course: its roster is known from here on (a context id that could
            // not be a course id is not recorded; the catalog needs none).
            String contextId = object(claims, LtiClaims.CONTEXT).get("id") instanceof String id ? id : "";
            var services = LtiContexts.Services.of(claims);
            Catalog catalog = new Catalog(deepLinks.start(registration, claims));
            if (validId(contextId)) {
                QuarkusTransaction.requiringNew().run(() -> contexts.record(registration.id, contextId, null, services));
            }
            return catalog;
        }
        String sub = IdTokens.stringClaim(claims, "sub");
        if (sub == null || sub.isBlank()) {
            throw LtiRefusal.badRequest("The launch names no user (sub): anonymous launches cannot have a lab.");
        }
        Map<String, Object> context = object(claims, LtiClaims.CONTEXT);
        String contextId = context.get("id") instanceof String id ? id : "";
        LabTemplate template = template(registration, claims);
        List<String> roles = strings(claims.getClaim(LtiClaims.ROLES));
        if (staff(roles)) {
            if (contextId.isEmpty()) {
                throw LtiRefusal.badRequest("An instructor's launch shows a course's progress, and this one has no course (context).");
            }
            requireId("the course id (context.id)", contextId);
            // No lab for the instructor, but the course's services: the roster's labs can be made before any learner launches.
            QuarkusTransaction.requiringNew().run(() -> contexts.record(registration.id, contextId, template.id(), LtiContexts.Services.of(claims)));
            var progress = QuarkusTransaction.joiningExisting().call(() -> admin.courseProgress(contextId, template.id(), OWNER_PREFIX + registration.id));
            return new InstructorProgress(registration, context.get("title") instanceof String t ? t : contextId, progress);
        }
        requireId("the user id (sub)", sub);
        if (!contextId.isEmpty()) {
            requireId("the course id (context.id)", contextId);
        }
        UUID labId = QuarkusTransaction.requiringNew().call(() -> learnerLab(registration, claims, sub, contextId, template, roles));
        return new LearnerLab(labId, URI.create(links.url(labId)));
    }

    private UUID learnerLab(LtiRegistration registration, JWTClaimsSet claims, String sub, String contextId, LabTemplate template,
                            List<String> roles) {
        var caller = new Caller(OWNER_PREFIX + registration.id, "LTI platform " + registration.name, false);
        LabService.Created created;
        try {
            created = labs.create(caller, new LabService.NewLab(sub, contextId.isEmpty() ? null : contextId, template.id(), null), null);
        } catch (ProblemException e) {
            throw new LtiRefusal(e.problem().status(), "Your lab could not be opened", e.problem().detail());
        }
        Map<String, Object> ags = object(claims, LtiClaims.AGS_ENDPOINT);
        Map<String, Object> link = object(claims, LtiClaims.RESOURCE_LINK);
        var services = LtiContexts.Services.of(claims);
        labLinks.launched(new LabLinks.Launched(registration.id, sub, contextId, template.id(), created.lab().id,
                link.get("id") instanceof String id ? id : null, ags.get("lineitem") instanceof String s ? s : null,
                services.agsLineitems(), services.agsScopes(), services.agsClaim(), services.nrpsMembershipsUrl(), roles));
        if (!contextId.isEmpty()) {
            contexts.record(registration.id, contextId, template.id(), services);
        }
        LOG.infof("LTI launch: registration %s, learner %s, course '%s', template %s: lab %s (%s)", registration.id, sub, contextId,
                template.id(), created.lab().id, created.isNew() ? "created" : "reused");
        return created.lab().id;
    }

    /** The registration's template, unless the launch's custom parameter {@code template} names another. */
    private LabTemplate template(LtiRegistration registration, JWTClaimsSet claims) {
        Object custom = object(claims, LtiClaims.CUSTOM).get(LtiClaims.CUSTOM_TEMPLATE);
        String id = custom instanceof String s && !s.isBlank() && !s.startsWith("$") ? s.strip() : registration.template;
        return catalog.find(id).orElseThrow(() -> LtiRefusal.badRequest("This link opens lab template '" + id
                + "', which this tool does not offer (any more). Ask your course to pick the lab again."));
    }

    /** Instructors (teaching assistants included) and administrators see the course; everyone else is a learner. */
    static boolean staff(List<String> roles) {
        return roles.stream().anyMatch(r -> r.equals(LtiClaims.ROLE_INSTRUCTOR) || r.startsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#")
                || r.equals(LtiClaims.ROLE_ADMINISTRATOR) || r.equals(LtiClaims.ROLE_INSTITUTION_ADMINISTRATOR)
                || r.equals(LtiClaims.ROLE_SYSTEM_ADMINISTRATOR) || r.equals("Instructor") || r.equals("Administrator"));
    }

    private static boolean validId(String value) {
        try {
            LabService.requireId("id", value);
            return true;
        } catch (ProblemException e) {
            return false;
        }
    }

    private static void requireId(String what, String value) {
        try {
            LabService.requireId("id", value);
        } catch (ProblemException e) {
            throw LtiRefusal.badRequest("The LMS's " + what + " cannot be used here: at most " + LabService.MAX_ID_LENGTH
                    + " characters, letters, digits and . _ - @ + : only.");
        }
    }

    static Map<String, Object> object(JWTClaimsSet claims, String name) {
        try {
            Map<String, Object> value = claims.getJSONObjectClaim(name);
            return value == null ? Map.of() : value;
        } catch (ParseException e) {
            throw LtiRefusal.badRequest("The launch's claim " + name + " is not a JSON object.");
        }
    }

    static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return value instanceof String s ? List.of(s) : List.of();
    }

    private static String withQuery(String url, Map<String, String> query) {
        var b = new StringBuilder(url);
        char sep = url.contains("?") ? '&' : '?';
        for (var e : query.entrySet()) {
            b.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return b.toString();
    }

}
