package dev.labprovisioner.security;

import io.quarkus.security.identity.SecurityIdentity;

/** Who is calling: the owner key their labs are recorded under, a name for history, and whether they are admin. */
public record Caller(String owner, String name, boolean admin) {

    public static final String NAME_ATTRIBUTE = "labs.client-name";

    public static Caller of(SecurityIdentity identity) {
        String name = identity.getAttribute(NAME_ATTRIBUTE);
        return new Caller(identity.getPrincipal().getName(), name == null ? identity.getPrincipal().getName() : name,
                identity.hasRole(Scopes.ADMIN));
    }

    /** Whether this caller may see and change a lab owned by {@code labOwner}. */
    public boolean mayAccess(String labOwner) {
        return admin || owner.equals(labOwner);
    }
}
