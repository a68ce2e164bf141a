package dev.labprovisioner.lti.services;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code Link: <…>; rel="next"} of a paged AGS or NRPS container (RFC 8288), resolved against the page's URL. */
public final class NextPage {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
    private static final Pattern NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]*)\"?", Pattern.CASE_INSENSITIVE);

    private NextPage() {
    }

    public static Optional<URI> of(URI page, HttpHeaders headers) {
        for (String value : headers.allValues("link")) {
            Matcher link = LINK.matcher(value);
            while (link.find()) {
                Matcher rel = NEXT.matcher(link.group(2));
                while (rel.find()) {
                    for (String r : rel.group(1).trim().split("\\s+")) {
                        if (r.equalsIgnoreCase("next")) {
                            try {
                                return Optional.of(page.resolve(link.group(1).trim()));
                            } catch (IllegalArgumentException e) {
                                return Optional.empty();
                            }
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }
}
