package org.hms.sync.testing;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.binary.api.IBinaryStorageSvc;
import ca.uhn.fhir.jpa.binstore.MemoryBinaryStorageSvcImpl;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.subscription.match.config.SubscriptionProcessorConfig;
import ca.uhn.fhir.jpa.subscription.match.deliver.email.IEmailSender;
import ca.uhn.fhir.jpa.subscription.submit.config.SubscriptionSubmitterConfig;
import ca.uhn.fhir.narrative2.NullNarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * The Spring wiring (plain Spring, no Spring Boot) of the HAPI FHIR 8.8 JPA R4 server that {@link
 * JpaFhirServer} runs: H2 in memory, schema made by Hibernate from the entities, no full-text
 * search, no MDM, no implementation guides. Modelled on the HAPI JPA server starter and HAPI's own
 * test configuration.
 *
 * <p>Rest-hook subscriptions are on, as in the starter with {@code hapi.fhir.subscription.
 * resthook_enabled: true}: {@code Subscription} is a resource type, the starter's subscription
 * configurations ({@link SubscriptionSubmitterConfig}, {@link SubscriptionProcessorConfig}) sit
 * next to {@link SubscriptionChannelConfig}, and {@link #subscriptionSettings()} supports the
 * rest-hook channel. Each write is matched against the active Subscriptions (none, unless a test
 * made one: such a test deletes it when done and gives it criteria that match its own resources
 * only).
 *
 * <p>Where to add more: a resource type the tests need goes into {@link #RESOURCE_TYPES} (only
 * those get a REST endpoint). One server serves the whole test JVM, so such additions are shared
 * by every test: keep them off by default where they cost time on each write.
 */
@Configuration
@Import({
  JpaR4Config.class, // FhirContext R4, the DAOs and resource providers, JpaConfig
  HapiJpaConfig.class, // paging, the stale-search deleter, resource-count cache
  JpaBatch2Config.class, // batch2 persistence: JpaConfig's beans need a job coordinator
  Batch2JobsConfig.class, // the built-in batch2 jobs ($reindex, $expunge, ...)
  SubscriptionChannelConfig.class, // the in-memory channels batch2 and subscriptions use
  SubscriptionSubmitterConfig.class, // writes are submitted for matching; Subscription validation
  SubscriptionProcessorConfig.class, // matching, activation, rest-hook delivery
  ThreadPoolFactoryConfig.class // the thread pools of the transaction processor
})
class JpaFhirServerConfig {

  /**
   * The resource types with a REST endpoint. SearchParameter is always needed: the search
   * parameter registry reads it at start-up.
   */
  static final List<String> RESOURCE_TYPES =
      List.of("Appointment", "Slot", "SearchParameter", "Subscription");

  @Bean
  JpaStorageSettings storageSettings() {
    JpaStorageSettings settings = new JpaStorageSettings();
    settings.setAllowExternalReferences(true);
    // As shipped: an unchanged search is answered from a 60-second cache unless the request says
    // Cache-Control: no-cache. Tests see what a production server does.
    settings.setReuseCachedSearchResultsForMillis(
        JpaStorageSettings.DEFAULT_REUSE_CACHED_SEARCH_RESULTS_FOR_MILLIS);
    return settings;
  }

  @Bean
  PartitionSettings partitionSettings() {
    return new PartitionSettings();
  }

  /** Rest-hook subscriptions on; everything else as shipped. */
  @Bean
  SubscriptionSettings subscriptionSettings() {
    SubscriptionSettings settings = new SubscriptionSettings();
    settings.addSupportedSubscriptionType(
        org.hl7.fhir.dstu2.model.Subscription.SubscriptionChannelType.RESTHOOK);
    return settings;
  }

  /** Email subscriptions are off, but the delivery listeners want a sender: one that refuses. */
  @Bean
  IEmailSender emailSender() {
    return email -> {
      throw new UnsupportedOperationException("the test server sends no email");
    };
  }

  @Bean(destroyMethod = "close")
  BasicDataSource dataSource() {
    BasicDataSource dataSource = new BasicDataSource();
    dataSource.setDriver(new org.h2.Driver());
    dataSource.setUrl("jdbc:h2:mem:hapi-jpa-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    dataSource.setUsername("sa");
    dataSource.setPassword("");
    dataSource.setMaxTotal(10);
    return dataSource;
  }

  @Bean
  @Primary
  LocalContainerEntityManagerFactoryBean entityManagerFactory(
      ConfigurableListableBeanFactory beanFactory,
      FhirContext context,
      JpaStorageSettings settings,
      DataSource dataSource) {
    LocalContainerEntityManagerFactoryBean factory =
        HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, context, settings);
    factory.setPersistenceUnitName("HAPI_PU");
    factory.setDataSource(dataSource);
    Properties properties = new Properties();
    properties.put("hibernate.dialect", HapiFhirH2Dialect.class.getName());
    properties.put("hibernate.hbm2ddl.auto", "update"); // the schema from the entities
    properties.put("hibernate.format_sql", "false");
    properties.put("hibernate.show_sql", "false");
    properties.put("hibernate.search.enabled", "false"); // no Lucene or Elasticsearch
    factory.setJpaProperties(properties);
    return factory;
  }

  @Bean
  @Primary
  JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
    return new JpaTransactionManager(entityManagerFactory);
  }

  @Bean
  IBinaryStorageSvc binaryStorage() {
    return new MemoryBinaryStorageSvcImpl();
  }

  /** The FHIR endpoint: HAPI's RestfulServer with the JPA resource providers of our types. */
  @Bean
  RestfulServer restfulServer(
      IFhirSystemDao<?, ?> systemDao,
      ResourceProviderFactory resourceProviders,
      JpaSystemProvider<?, ?> systemProvider,
      DatabaseBackedPagingProvider pagingProvider,
      JpaStorageSettings settings,
      ISearchParamRegistry searchParamRegistry,
      IValidationSupport validationSupport,
      DaoRegistry daoRegistry) {
    daoRegistry.setSupportedResourceTypes(RESOURCE_TYPES);
    FhirContext context = systemDao.getContext();
    context.setNarrativeGenerator(new NullNarrativeGenerator());
    RestfulServer server = new RestfulServer(context);
    server.registerProviders(resourceProviders.createProviders());
    server.registerProvider(systemProvider);
    server.setPagingProvider(pagingProvider);
    server.setDefaultResponseEncoding(EncodingEnum.JSON);
    server.setServerConformanceProvider(
        new JpaCapabilityStatementProvider(
            server, systemDao, settings, searchParamRegistry, validationSupport));
    return server;
  }
}
