package dev.drkit.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The SPI stays free of dependencies so that any plugin can implement it. */
class ApiArchitectureTest {
    private static final JavaClasses API = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.drkit.api");

    @Test
    void apiDependsOnTheJdkAndJSpecifyAlone() {
        ArchRule rule = classes().that().resideInAPackage("dev.drkit.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.jspecify..", "dev.drkit.api..")
                .because("dr-api is the SPI: a plugin must be able to implement it with nothing but the JDK");
        rule.check(API);
    }

    @Test
    void apiHasNoInternalPackages() {
        ArchRule rule = classes().that().resideInAPackage("dev.drkit.api..")
                .should().resideOutsideOfPackage("..internal..")
                .because("everything in dr-api is public contract");
        rule.check(API);
    }

    @Test
    void everyPackageIsNullMarked() {
        ArchRule rule = classes().that().resideInAPackage("dev.drkit.api..").and().haveSimpleName("package-info")
                .should().beAnnotatedWith(org.jspecify.annotations.NullMarked.class);
        rule.allowEmptyShould(false).check(API);
    }
}
