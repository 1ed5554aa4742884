package dev.drkit.test.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture rules of DR Kit, for its own modules and for plugins: a module may use its
 * own {@code internal} packages, never another module's; the core never depends on Spring; and
 * a module meant to need only the SPI (such as {@code dr-test-kit}) uses nothing of DR Kit
 * beyond {@code dr-api}.
 *
 * <pre>{@code
 * @Test
 * void pluginUsesNoInternals() {
 *     ArchitectureRules.noForeignInternals("com.example.drstore").check(ArchitectureRules.load("com.example.drstore"));
 * }
 * }</pre>
 */
public final class ArchitectureRules {
    private ArchitectureRules() {
    }

    /**
     * Imports the production classes of a package tree, without tests.
     *
     * @param rootPackage the package, such as {@code dev.drkit.core}
     * @return the classes
     */
    public static JavaClasses load(String rootPackage) {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(rootPackage);
    }

    /**
     * Classes under {@code ownPackage} use no {@code internal} package of another DR Kit module.
     *
     * @param ownPackage the module's root package, such as {@code dev.drkit.storage.s3}
     * @return the rule
     */
    public static ArchRule noForeignInternals(String ownPackage) {
        return noClasses().that().resideInAPackage(ownPackage + "..")
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "are in another module's internal package",
                        c -> c.getPackageName().startsWith("dev.drkit.")
                                && (c.getPackageName() + ".").contains(".internal.")
                                && !(c.getPackageName() + ".").startsWith(ownPackage + ".")))
                .because("a module uses only the public API of the others; internals may change at any time");
    }

    /**
     * Classes under {@code ownPackage} do not depend on Spring.
     *
     * @param ownPackage the root package, such as {@code dev.drkit.core}
     * @return the rule
     */
    public static ArchRule noSpring(String ownPackage) {
        return noClasses().that().resideInAPackage(ownPackage + "..")
                .should().dependOnClassesThat().resideInAPackage("org.springframework..")
                .because("dr-core serves plain Java users too; Spring lives in dr-spring-starter");
    }

    /**
     * Classes under {@code ownPackage} use no DR Kit classes other than their own and
     * {@code dr-api}'s.
     *
     * @param ownPackage the module's root package, such as {@code dev.drkit.testkit}
     * @return the rule
     */
    public static ArchRule onlyTheApi(String ownPackage) {
        return noClasses().that().resideInAPackage(ownPackage + "..")
                .should().dependOnClassesThat(DescribedPredicate.describe(
                        "are in a DR Kit module other than dr-api",
                        c -> (c.getPackageName() + ".").startsWith("dev.drkit.")
                                && !(c.getPackageName() + ".").startsWith("dev.drkit.api.")
                                && !(c.getPackageName() + ".").startsWith(ownPackage + ".")))
                .because("the module must be usable where only dr-api is, such as in dr-core's own tests");
    }
}
