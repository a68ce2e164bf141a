package dev.labprovisioner.lti.registration;

import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.template.LabTemplateCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** The platform registrations of DESIGN §9 (admin only): checked, stored, listed, removed. */
@ApplicationScoped
@Transactional
public class RegistrationService {

    public static final int MAX_DEPLOYMENTS = 100;
    public static final int MAX_ID_LENGTH = 255;

    private final PlatformUrls urls;
    private final LabTemplateCatalog catalog;

    RegistrationService(PlatformUrls urls, LabTemplateCatalog catalog) {
        this.urls = urls;
        this.catalog = catalog;
    }

    public record NewRegistration(String name, String issuer, String clientId, List<String> deploymentIds, String authLoginUrl,
                                  String accessTokenUrl, String jwksUrl, String template) {
    }

    public LtiRegistration create(NewRegistration request) {
        if (request == null) {
            throw ProblemException.badRequest("A JSON body {\"name\", \"issuer\", \"clientId\", \"deploymentIds\", \"authLoginUrl\", "
                    + "\"accessTokenUrl\", \"jwksUrl\", \"template\"} is required.");
        }
        String name = text("name", request.name(), 100);
        String issuer = text("issuer", request.issuer(), 500);
        String clientId = text("clientId", request.clientId(), MAX_ID_LENGTH);
        if (request.deploymentIds() == null || request.deploymentIds().isEmpty()) {
            throw ProblemException.badRequest("'deploymentIds' must list at least one deployment id (the LMS shows it once the tool is deployed).");
        }
        if (request.deploymentIds().size() > MAX_DEPLOYMENTS) {
            throw ProblemException.badRequest("'deploymentIds' may list at most " + MAX_DEPLOYMENTS + " deployment ids.");
        }
        var deployments = new LinkedHashSet<String>();
        for (int i = 0; i < request.deploymentIds().size(); i++) {
            String id = text("deploymentIds[" + i + "]", request.deploymentIds().get(i), MAX_ID_LENGTH);
            if (id.chars().anyMatch(Character::isWhitespace)) {
                throw ProblemException.badRequest("'deploymentIds[" + i + "]' must not contain spaces.");
            }
            deployments.add(id);
        }
        String template = request.template();
        if (template == null || catalog.find(template).isEmpty()) {
            throw ProblemException.badRequest((template == null ? "'template' is required" : "Unknown lab template '" + template + "'")
                    + ": the lab a plain launch opens; see GET /api/v1/templates.");
        }
        var registration = new LtiRegistration();
        registration.id = UUID.randomUUID();
        registration.name = name;
        registration.issuer = issuer;
        registration.clientId = clientId;
        registration.deploymentIds = String.join(" ", deployments);
        registration.authLoginUrl = urls.check("authLoginUrl", request.authLoginUrl()).toString();
        registration.accessTokenUrl = urls.check("accessTokenUrl", request.accessTokenUrl()).toString();
        registration.jwksUrl = urls.check("jwksUrl", request.jwksUrl()).toString();
        registration.template = template;
        registration.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (LtiRegistration.count("issuer = ?1 and clientId = ?2", issuer, clientId) > 0) {
            throw ProblemException.conflict("Issuer " + issuer + " already has a registration for client id " + clientId
                    + "; delete it first to change it.");
        }
        registration.persist();
        return registration;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<LtiRegistration> list() {
        return LtiRegistration.list("order by createdAt, id");
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public LtiRegistration get(UUID id) {
        return LtiRegistration.byId(id).orElseThrow(() -> ProblemException.notFound("No LTI registration " + id + "."));
    }

    /** Removes the registration: its platform can no longer launch; its labs stay, as every lab does. */
    public void delete(UUID id) {
        LtiRegistration registration = get(id);
        registration.delete();
    }

    private static String text(String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest("'" + field + "' is required and must not be empty.");
        }
        if (value.length() > max) {
            throw ProblemException.badRequest("'" + field + "' must be at most " + max + " characters.");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest("'" + field + "' must not contain control characters.");
        }
        return value.strip();
    }
}
