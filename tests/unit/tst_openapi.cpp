#include "services/openapiimporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;

namespace {

// A petstore-like OpenAPI document; `version` picks the 3.0 or 3.1 dialect bits.
// URLs are written "https:\/\/..." (valid JSON): moc takes "//" in a multi-line raw string
// for a comment and then misses the test class.
QByteArray petstore(const QByteArray &version)
{
    const bool v30 = version.startsWith("3.0");
    const QByteArray nullableTag =
        v30 ? R"("tag": {"type": "string", "nullable": true})" : R"("tag": {"type": ["string", "null"]})";
    const QByteArray exclusive = v30 ? R"("minimum": 0, "exclusiveMinimum": true)" : R"("exclusiveMinimum": 0)";
    QByteArray doc = R"({
  "openapi": "@VERSION@",
  "info": {"title": "Petstore", "version": "1.0.0"},
  "servers": [
    {"url": "https:\/\/{region}.petstore.example.com/{basePath}",
     "variables": {"region": {"default": "eu"}, "basePath": {"default": "v2"}}},
    {"url": "https:\/\/backup.example.com/v2"}
  ],
  "security": [{"apiKey": []}],
  "paths": {
    "/pets": {
      "get": {
        "operationId": "listPets",
        "summary": "List all pets",
        "description": "Returns pets, newest first.",
        "parameters": [
          {"name": "limit", "in": "query", "required": false, "description": "How many",
           "schema": {"type": "integer", "maximum": 100, "format": "int32"}},
          {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "responses": {"200": {"description": "ok"}}
      },
      "post": {
        "operationId": "createPet",
        "summary": "Create a pet",
        "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
        "responses": {"201": {"description": "created"}}
      }
    },
    "/pets/{petId}": {
      "parameters": [
        {"name": "petId", "in": "path", "required": true, "description": "The id of the pet",
         "schema": {"type": "string"}}
      ],
      "get": {
        "operationId": "show pet.by-id",
        "description": "Info for a specific pet",
        "parameters": [{"name": "session", "in": "cookie", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok"}}
      },
      "put": {
        "operationId": "replacePet",
        "parameters": [{"name": "name", "in": "query", "schema": {"type": "string"}}],
        "requestBody": {"required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
        "responses": {"200": {"description": "ok"}}
      },
      "delete": {
        "deprecated": true,
        "responses": {"204": {"description": "gone"}}
      },
      "options": {"responses": {"200": {"description": "ok"}}}
    },
    "/pets/{petId}/photo": {
      "post": {
        "operationId": "uploadPhoto",
        "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"image/png": {"schema": {"type": "string"}}}},
        "responses": {"200": {"description": "ok"}}
      }
    },
    "/pets/{petId}/tags": {
      "post": {
        "operationId": "addTags",
        "parameters": [{"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}},
        "responses": {"200": {"description": "ok"}}
      }
    },
    "/owners/{id}": {
      "patch": {
        "operationId": "patchOwner",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
        "requestBody": {"required": true, "content": {"application/merge-patch+json": {
          "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}},
        "responses": {"200": {"description": "ok"}}
      }
    },
    "/trees": {
      "get": {
        "operationId": "listTrees",
        "parameters": [{"name": "filter", "in": "query", "schema": {"$ref": "#/components/schemas/Node"}}],
        "responses": {"200": {"description": "ok"}}
      }
    }
  },
  "components": {
    "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
    "parameters": {
      "RequestId": {"name": "X-Request-ID", "in": "header", "required": true, "schema": {"type": "string"}}
    },
    "requestBodies": {
      "NewPet": {"required": true, "description": "The pet to add",
                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}}
    },
    "schemas": {
      "NewPet": {
        "type": "object",
        "required": ["name"],
        "properties": {
          "name": {"type": "string"},
          @TAG@,
          "age": {"type": "number", @EXCLUSIVE@},
          "owner": {"$ref": "#/components/schemas/Owner"}
        }
      },
      "Pet": {
        "allOf": [{"$ref": "#/components/schemas/NewPet"},
                  {"type": "object", "properties": {"id": {"type": "integer"}}}]
      },
      "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
      "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
    }
  }
})";
    return doc.replace("@VERSION@", version).replace("@TAG@", nullableTag).replace("@EXCLUSIVE@", exclusive);
}

const RestToolConfig *tool(const OpenApiImport &r, const QString &name)
{
    for (const RestToolConfig &t : r.tools)
        if (t.name == name)
            return &t;
    return nullptr;
}

QStringList requiredOf(const RestToolConfig &t)
{
    QStringList out;
    const QJsonArray a = t.inputSchema.value(QStringLiteral("required")).toArray();
    for (const QJsonValue &v : a)
        out << v.toString();
    out.sort();
    return out;
}

QJsonObject inputProperty(const RestToolConfig &t, const QString &name)
{
    return t.inputSchema.value(QStringLiteral("properties")).toObject().value(name).toObject();
}

bool hasWarning(const OpenApiImport &r, const QString &part)
{
    for (const QString &w : r.warnings)
        if (w.contains(part, Qt::CaseInsensitive))
            return true;
    return false;
}

} // namespace

class TestOpenApi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void petstore_data();
    void petstore();
    void dialectDifferences_data();
    void dialectDifferences();
    void baseUrl_data();
    void baseUrl();
    void rejected_data();
    void rejected();
    void recursiveRefs();
    void duplicateOperationIds();
};

void TestOpenApi::petstore_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::newRow("3.0") << QByteArray("3.0.3");
    QTest::newRow("3.1") << QByteArray("3.1.0");
}

void TestOpenApi::petstore()
{
    QFETCH(QByteArray, version);
    const OpenApiImport r = importOpenApi(::petstore(version));
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.baseUrl, QUrl(QStringLiteral("https://eu.petstore.example.com/v2")));

    QStringList names;
    for (const RestToolConfig &t : r.tools)
        names << t.name;
    names.sort();
    QCOMPARE(names,
             (QStringList{QStringLiteral("addTags"), QStringLiteral("createPet"), QStringLiteral("delete_pets_petId"),
                          QStringLiteral("listPets"), QStringLiteral("listTrees"), QStringLiteral("patchOwner"),
                          QStringLiteral("replacePet"), QStringLiteral("show_pet_by-id")}));

    // Query + header parameters, $ref'd parameter.
    const RestToolConfig *list = tool(r, QStringLiteral("listPets"));
    QVERIFY(list);
    QCOMPARE(list->method, QStringLiteral("GET"));
    QCOMPARE(list->urlTemplate, QStringLiteral("/pets"));
    QCOMPARE(list->title, QStringLiteral("List all pets"));
    QVERIFY(list->description.contains(QLatin1String("List all pets")));
    QVERIFY(list->description.contains(QLatin1String("newest first")));
    QCOMPARE(list->queryParams, (QStringList{QStringLiteral("limit"), QStringLiteral("tags")}));
    QCOMPARE(list->headers.value(QStringLiteral("X-Request-ID")), QStringLiteral("{X-Request-ID}"));
    QCOMPARE(requiredOf(*list), QStringList{QStringLiteral("X-Request-ID")});
    QCOMPARE(inputProperty(*list, QStringLiteral("limit")).value(QStringLiteral("type")).toString(),
             QStringLiteral("integer"));
    QCOMPARE(inputProperty(*list, QStringLiteral("limit")).value(QStringLiteral("description")).toString(),
             QStringLiteral("How many"));
    QCOMPARE(inputProperty(*list, QStringLiteral("tags")).value(QStringLiteral("type")).toString(),
             QStringLiteral("array"));
    QVERIFY(list->bodyParam.isEmpty());
    QCOMPARE(list->inputSchema.value(QStringLiteral("type")).toString(), QStringLiteral("object"));
    QCOMPARE(list->annotations.value(QStringLiteral("readOnlyHint")).toBool(), true);

    // requestBody through components/requestBodies -> schema $ref: object properties merged.
    const RestToolConfig *create = tool(r, QStringLiteral("createPet"));
    QVERIFY(create);
    QCOMPARE(create->method, QStringLiteral("POST"));
    QVERIFY(create->bodyParam.isEmpty());
    QCOMPARE(requiredOf(*create), QStringList{QStringLiteral("name")});
    QCOMPARE(inputProperty(*create, QStringLiteral("name")).value(QStringLiteral("type")).toString(),
             QStringLiteral("string"));
    QCOMPARE(inputProperty(*create, QStringLiteral("owner")).value(QStringLiteral("properties")).toObject().keys(),
             QStringList{QStringLiteral("name")}); // nested $ref resolved
    QVERIFY(!QJsonDocument(create->inputSchema).toJson().contains("$ref"));
    QCOMPARE(create->annotations.value(QStringLiteral("readOnlyHint")).toBool(), false);

    // Path parameters at path-item level; cookie parameter dropped with a warning.
    const RestToolConfig *show = tool(r, QStringLiteral("show_pet_by-id"));
    QVERIFY(show);
    QCOMPARE(show->urlTemplate, QStringLiteral("/pets/{petId}"));
    QCOMPARE(requiredOf(*show), QStringList{QStringLiteral("petId")});
    QCOMPARE(inputProperty(*show, QStringLiteral("petId")).value(QStringLiteral("description")).toString(),
             QStringLiteral("The id of the pet"));
    QVERIFY(inputProperty(*show, QStringLiteral("session")).isEmpty());
    QCOMPARE(show->description, QStringLiteral("Info for a specific pet"));
    QVERIFY(hasWarning(r, QStringLiteral("cookie")));

    // allOf body: not merged, sent as "body".
    const RestToolConfig *replace = tool(r, QStringLiteral("replacePet"));
    QVERIFY(replace);
    QCOMPARE(replace->method, QStringLiteral("PUT"));
    QCOMPARE(replace->bodyParam, QStringLiteral("body"));
    QCOMPARE(requiredOf(*replace), (QStringList{QStringLiteral("body"), QStringLiteral("petId")}));
    QCOMPARE(replace->queryParams, QStringList{QStringLiteral("name")});
    QVERIFY(inputProperty(*replace, QStringLiteral("body")).contains(QStringLiteral("allOf")));

    // No operationId: method + path; deprecated noted.
    const RestToolConfig *del = tool(r, QStringLiteral("delete_pets_petId"));
    QVERIFY(del);
    QCOMPARE(del->method, QStringLiteral("DELETE"));
    QVERIFY(del->description.contains(QLatin1String("Deprecated")));
    QCOMPARE(del->annotations.value(QStringLiteral("destructiveHint")).toBool(), true);

    // Array body -> "body" property, optional.
    const RestToolConfig *tags = tool(r, QStringLiteral("addTags"));
    QVERIFY(tags);
    QCOMPARE(tags->bodyParam, QStringLiteral("body"));
    QCOMPARE(requiredOf(*tags), QStringList{QStringLiteral("petId")});
    QCOMPARE(inputProperty(*tags, QStringLiteral("body")).value(QStringLiteral("type")).toString(),
             QStringLiteral("array"));

    // +json media type; body property "id" clashes with the path parameter: kept whole.
    const RestToolConfig *patch = tool(r, QStringLiteral("patchOwner"));
    QVERIFY(patch);
    QCOMPARE(patch->method, QStringLiteral("PATCH"));
    QCOMPARE(patch->bodyParam, QStringLiteral("body"));
    QCOMPARE(requiredOf(*patch), (QStringList{QStringLiteral("body"), QStringLiteral("id")}));

    // Unsupported things are reported.
    QVERIFY(!tool(r, QStringLiteral("uploadPhoto"))); // required image/png body
    QVERIFY(hasWarning(r, QStringLiteral("image/png")));
    QVERIFY(hasWarning(r, QStringLiteral("OPTIONS /pets/{petId}")));
    QVERIFY(hasWarning(r, QStringLiteral("X-API-Key")));
    QVERIFY(hasWarning(r, QStringLiteral("2 servers")));
    QVERIFY(hasWarning(r, QStringLiteral("#/components/schemas/Node")));

    // Recursive schema truncated, not looping.
    const RestToolConfig *trees = tool(r, QStringLiteral("listTrees"));
    QVERIFY(trees);
    QCOMPARE(inputProperty(*trees, QStringLiteral("filter")).value(QStringLiteral("type")).toString(),
             QStringLiteral("object"));
}

void TestOpenApi::dialectDifferences_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::newRow("3.0") << QByteArray("3.0.3");
    QTest::newRow("3.1") << QByteArray("3.1.0");
}

void TestOpenApi::dialectDifferences()
{
    QFETCH(QByteArray, version);
    const OpenApiImport r = importOpenApi(::petstore(version));
    QVERIFY(r.ok());
    const RestToolConfig *create = tool(r, QStringLiteral("createPet"));
    QVERIFY(create);
    // Both dialects end up as plain JSON Schema.
    QCOMPARE(inputProperty(*create, QStringLiteral("tag")).value(QStringLiteral("type")).toArray(),
             (QJsonArray{QStringLiteral("string"), QStringLiteral("null")}));
    QVERIFY(!inputProperty(*create, QStringLiteral("tag")).contains(QStringLiteral("nullable")));
    QCOMPARE(inputProperty(*create, QStringLiteral("age")).value(QStringLiteral("exclusiveMinimum")).toDouble(), 0.0);
    QVERIFY(inputProperty(*create, QStringLiteral("age")).value(QStringLiteral("exclusiveMinimum")).isDouble());
    QVERIFY(!inputProperty(*create, QStringLiteral("age")).contains(QStringLiteral("minimum")));
}

void TestOpenApi::baseUrl_data()
{
    QTest::addColumn<QByteArray>("servers");
    QTest::addColumn<QUrl>("documentUrl");
    QTest::addColumn<QUrl>("expected");

    QTest::newRow("absolute") << QByteArray(R"([{"url": "https://api.example.com/v1"}])") << QUrl()
                              << QUrl(QStringLiteral("https://api.example.com/v1"));
    QTest::newRow("relative to document") << QByteArray(R"([{"url": "/api/v3"}])")
                                          << QUrl(QStringLiteral("https://petstore3.swagger.io/api/v3/openapi.json"))
                                          << QUrl(QStringLiteral("https://petstore3.swagger.io/api/v3"));
    QTest::newRow("no servers") << QByteArray("[]") << QUrl(QStringLiteral("http://127.0.0.1:8080/docs/openapi.json"))
                                << QUrl(QStringLiteral("http://127.0.0.1:8080/"));
    QTest::newRow("relative, no document url") << QByteArray(R"([{"url": "/v1"}])") << QUrl() << QUrl();
    QTest::newRow("variables") << QByteArray(R"([{"url": "{scheme}://h:{port}/x",
                                                 "variables": {"scheme": {"default": "http"},
                                                               "port": {"default": "8443", "enum": ["8443"]}}}])")
                               << QUrl() << QUrl(QStringLiteral("http://h:8443/x"));
}

void TestOpenApi::baseUrl()
{
    QFETCH(QByteArray, servers);
    QFETCH(QUrl, documentUrl);
    QFETCH(QUrl, expected);
    const QByteArray doc = R"({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "servers": )" + servers +
                           R"(, "paths": {"/x": {"get": {"operationId": "x"}}}})";
    const OpenApiImport r = importOpenApi(doc, documentUrl);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.baseUrl, expected);
    QCOMPARE(r.tools.size(), 1);
    if (expected.isEmpty())
        QVERIFY(hasWarning(r, QStringLiteral("relative")));
}

void TestOpenApi::rejected_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("errorPart");
    QTest::newRow("not json") << QByteArray("openapi: 3.1.0\ninfo: {}\n") << QStringLiteral("YAML");
    QTest::newRow("swagger 2") << QByteArray(R"({"swagger": "2.0", "paths": {}})") << QStringLiteral("Swagger");
    QTest::newRow("no version") << QByteArray(R"({"paths": {}})") << QStringLiteral("OpenAPI 3");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("OpenAPI 3");
    QTest::newRow("openapi 4") << QByteArray(R"({"openapi": "4.0.0"})") << QStringLiteral("OpenAPI 3");
}

void TestOpenApi::rejected()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, errorPart);
    const OpenApiImport r = importOpenApi(document);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(errorPart), qPrintable(r.error));
    QVERIFY(r.tools.isEmpty());
}

void TestOpenApi::recursiveRefs()
{
    // Mutually recursive schemas and a self-referencing parameter: terminates with warnings.
    const QByteArray doc = R"({
      "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"post": {"operationId": "a",
        "parameters": [{"$ref": "#/components/parameters/Loop"}],
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
      "components": {
        "parameters": {"Loop": {"$ref": "#/components/parameters/Loop"}},
        "schemas": {
          "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
          "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
        }
      }
    })";
    const OpenApiImport r = importOpenApi(doc);
    QVERIFY(r.ok());
    QCOMPARE(r.tools.size(), 1);
    QVERIFY(hasWarning(r, QStringLiteral("Recursive")));
    const QJsonObject b = inputProperty(r.tools.constFirst(), QStringLiteral("b"));
    QCOMPARE(b.value(QStringLiteral("type")).toString(), QStringLiteral("object"));
}

void TestOpenApi::duplicateOperationIds()
{
    const QByteArray doc = R"({
      "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"get": {"operationId": "get thing"}}, "/b": {"get": {"operationId": "get-thing!"}}}
    })";
    const OpenApiImport r = importOpenApi(doc);
    QVERIFY(r.ok());
    QCOMPARE(r.tools.size(), 2);
    QCOMPARE(r.tools.at(0).name, QStringLiteral("get_thing"));
    QCOMPARE(r.tools.at(1).name, QStringLiteral("get-thing"));
    const QByteArray clash = R"({
      "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
      "paths": {"/a": {"get": {"operationId": "same"}}, "/b": {"get": {"operationId": "same"}}}
    })";
    const OpenApiImport c = importOpenApi(clash);
    QCOMPARE(c.tools.size(), 2);
    QCOMPARE(c.tools.at(1).name, QStringLiteral("same_2"));
    QVERIFY(hasWarning(c, QStringLiteral("already used")));
}

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
