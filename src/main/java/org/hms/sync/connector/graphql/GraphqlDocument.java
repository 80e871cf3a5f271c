package org.hms.sync.connector.graphql;

import graphql.language.AstPrinter;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.FragmentDefinition;
import graphql.language.NonNullType;
import graphql.language.OperationDefinition;
import graphql.language.SourceLocation;
import graphql.language.VariableDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One route's mutation as read from its {@code .graphql} file at start-up: the text that is sent,
 * the operation name and the variables the operation declares.
 *
 * @param file where the document was read from
 * @param text the file's content, sent as {@code query} unchanged
 * @param operationName the mutation's name, or {@code null} for an anonymous mutation
 * @param variables as declared, in document order
 */
record GraphqlDocument(Path file, String text, String operationName, List<Variable> variables) {

  /**
   * @param type as written, e.g. {@code ID!} or {@code AppointmentInput!}
   * @param required non-null type without a default value: the server refuses the request without
   *     it
   */
  record Variable(String name, String type, boolean required) {}

  GraphqlDocument {
    variables = List.copyOf(variables);
  }

  /**
   * Reads, parses and checks the file: exactly one operation, a mutation; fragment definitions may
   * sit beside it.
   *
   * @throws GraphqlDocumentException naming the file and what to change
   */
  static GraphqlDocument read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException failure) {
      throw new GraphqlDocumentException(
          "cannot read GraphQL document "
              + file
              + " ("
              + failure.getClass().getSimpleName()
              + "); check the route's document path",
          failure);
    }
    return parse(file, text);
  }

  static GraphqlDocument parse(Path file, String text) {
    Document document;
    try {
      document = Parser.parse(text);
    } catch (InvalidSyntaxException failure) {
      SourceLocation location = failure.getLocation();
      String where =
          location == null
              ? "position unknown"
              : "line " + location.getLine() + ", column " + location.getColumn();
      String token = failure.getOffendingToken();
      throw new GraphqlDocumentException(
          "GraphQL document "
              + file
              + " does not parse: syntax error at "
              + where
              + (token == null ? "" : " near '" + token + "'")
              + "; fix the GraphQL syntax there",
          failure);
    }
    List<OperationDefinition> operations = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Definition<?> definition : document.getDefinitions()) {
      if (definition instanceof OperationDefinition operation) {
        operations.add(operation);
      } else if (!(definition instanceof FragmentDefinition)) {
        others.add(definition.getClass().getSimpleName().replace("Definition", ""));
      }
    }
    if (!others.isEmpty()) {
      throw new GraphqlDocumentException(
          "GraphQL document "
              + file
              + " holds schema definitions ("
              + String.join(", ", others)
              + "); it must hold the one mutation to send (and fragments it uses), not the"
              + " schema");
    }
    if (operations.size() != 1) {
      throw new GraphqlDocumentException(
          "GraphQL document "
              + file
              + " holds "
              + operations.size()
              + " operations"
              + (operations.isEmpty() ? "" : " (" + describe(operations) + ")")
              + "; it must hold exactly one mutation: one file per route");
    }
    OperationDefinition operation = operations.get(0);
    if (operation.getOperation() != OperationDefinition.Operation.MUTATION) {
      throw new GraphqlDocumentException(
          "GraphQL document "
              + file
              + " holds a "
              + operation.getOperation().name().toLowerCase(java.util.Locale.ROOT)
              + (operation.getName() == null ? "" : " '" + operation.getName() + "'")
              + ", not a mutation; a route sends a change, so its document must be a mutation");
    }
    List<Variable> variables = new ArrayList<>();
    for (VariableDefinition variable : operation.getVariableDefinitions()) {
      variables.add(
          new Variable(
              variable.getName(),
              AstPrinter.printAst(variable.getType()),
              variable.getType() instanceof NonNullType && variable.getDefaultValue() == null));
    }
    return new GraphqlDocument(file, text, operation.getName(), variables);
  }

  /** The variables the server cannot do without. */
  List<Variable> required() {
    return variables.stream().filter(Variable::required).toList();
  }

  /** {@code mutation CreateAppointment} or {@code anonymous mutation}, for messages. */
  String describe() {
    return operationName == null ? "anonymous mutation" : "mutation " + operationName;
  }

  private static String describe(List<OperationDefinition> operations) {
    return operations.stream()
        .map(
            operation ->
                operation.getOperation().name().toLowerCase(java.util.Locale.ROOT)
                    + (operation.getName() == null ? "" : " " + operation.getName())
                    + " at line "
                    + operation.getSourceLocation().getLine())
        .collect(Collectors.joining(", "));
  }
}
