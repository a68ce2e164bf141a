package dev.labprovisioner.learner;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** The learner page as served: readable without JavaScript, with steps, checks and clear states. */
@QuarkusTest
class LearnerPageTests {

    @Test
    void thePageShowsTheStepsTheConnectionAndACheckFormThatWorksWithoutJavaScript() {
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("page"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        String token = url.substring(url.lastIndexOf('/') + 1);
        String namespace = created.path("namespace");
        Api.awaitState(lms, id, "READY");

        RestAssured.given().accept("text/html").get("/learn/" + token).then().statusCode(200)
                .contentType("text/html")
                .header("Cache-Control", "no-store")
                .body(allOf(containsString("PostgreSQL on a StatefulSet"),
                        containsString("<h2 id=\"step-title-what-is-a-statefulset\">What a StatefulSet is, and when to use one</h2>"),
                        containsString("<pre><code class=\"language-sh\">"),
                        containsString("<code>" + namespace + "</code>"),
                        containsString("Download your kubeconfig"),
                        containsString("action=\"/learn/" + token + "/checkpoints/stable-identity/check\""),
                        containsString("Let the service prove it"),
                        containsString("SQL box"),
                        // The suite's sandbox is the imitation: the page says what it cannot do (exec, Events, rollout undo).
                        containsString("data-engine=\"imitation\""),
                        not(containsString("data-engine=\"control-plane\"")),
                        containsString("Not checked"),
                        not(containsString("\"status\":"))));

        // The Check button without JavaScript: a form post, then back to the checkpoint on the page.
        RestAssured.given().redirects().follow(false).post("/learn/" + token + "/checkpoints/stable-identity/check").then()
                .statusCode(303).header("Location", containsString("/learn/" + token + "#cp-stable-identity"));
        RestAssured.given().get("/learn/" + token).then().statusCode(200)
                .body(containsString("class=\"checkpoint status-PASSED\" id=\"cp-stable-identity\""));
    }

    @Test
    void theLearnersAnswersAreNeverCachedRunOnlyTheirOwnCodeAndLeakNoLink() {
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("headers"), "k8s-101").statusCode(202).extract();
        String url = created.path("learnerUrl");
        String path = url.substring(url.indexOf("/learn/"));
        Api.awaitState(lms, created.path("id"), "READY");
        String page = RestAssured.given().accept("text/html").get(path).then().statusCode(200)
                .header("Content-Security-Policy", allOf(containsString("default-src 'none'"), containsString("script-src 'self';"),
                        containsString("style-src 'self';"), containsString("frame-ancestors 'none'")))
                .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store").extract().asString();
        // No inline code for the policy to refuse: the page's script and style are files of this service.
        org.assertj.core.api.Assertions.assertThat(page).doesNotContain("<script>", "<style>", "style=\"", " onclick=")
                .contains("<script src=\"/learn-assets/learner.js\"></script>", "href=\"/learn-assets/learner.css\"");
        RestAssured.given().get("/learn-assets/learner.js").then().statusCode(200).contentType(containsString("javascript"))
                .header("X-Content-Type-Options", "nosniff");
        RestAssured.given().get("/learn-assets/learner.css").then().statusCode(200).contentType(containsString("text/css"));
        for (String learnerData : new String[]{path + "/kubeconfig", path + "/progress", "/learn/not-a-real-token"}) {
            RestAssured.given().get(learnerData).then().header("Cache-Control", "no-store").header("Referrer-Policy", "no-referrer");
        }
        // A secret shown once, and every other API answer: never stored by a cache on the way.
        RestAssured.given().header("Authorization", "Bearer " + Api.ADMIN_TOKEN).contentType("application/json")
                .body("{\"name\":\"no-store\",\"scopes\":[\"labs:read\"]}").post("/api/v1/admin/clients").then().statusCode(201)
                .header("Cache-Control", "no-store").header("X-Content-Type-Options", "nosniff");
        Api.as(lms).get("/api/v1/labs/" + created.path("id") + "/progress").then().statusCode(200).header("Cache-Control", "no-store");
    }

    @Test
    void aForgedOrEndedLinkGetsAFriendlyPageWithTheRightStatus() {
        RestAssured.given().accept("text/html").get("/learn/not-a-real-token").then().statusCode(404).contentType("text/html")
                .body(containsString("This lab link is not valid"));
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("ended"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        Api.awaitState(lms, id, "READY");
        Api.as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        RestAssured.given().accept("text/html,application/xhtml+xml").get(url.substring(url.indexOf("/learn/"))).then().statusCode(410).contentType("text/html")
                .body(containsString("This lab has ended"));
        // Not a browser (curl's Accept: */*): the API's error shape.
        RestAssured.given().accept("*/*").get(url.substring(url.indexOf("/learn/"))).then().statusCode(410)
                .contentType("application/problem+json");
    }
}
