// importOpenApi() on the corners of OpenAPI 3 documents: operation parameters overriding
// path-level ones, header parameters OpenAPI says to ignore, parameters given by "content",
// duplicate and misplaced parameters, unsupported styles and locations, request bodies that
// cannot be merged, references into arrays, external or broken references, exponential
// reference fan-out, and the warnings for features the importer leaves out.

#include "services/openapiimporter.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;
using namespace Qt::StringLiterals;

namespace {

// A 3.1 document with the given paths (and components).
QByteArray document(const QJsonObject &paths, const QJsonObject &components = {}, const QJsonObject &extra = {})
{
    QJsonObject root{{u"openapi"_s, u"3.1.0"_s},
                     {u"info"_s, QJsonObject{{u"title"_s, u"t"_s}, {u"version"_s, u"1"_s}}},
                     {u"servers"_s, QJsonArray{QJsonObject{{u"url"_s, u"https://api.example.com/v1"_s}}}},
                     {u"paths"_s, paths}};
    if (!components.isEmpty())
        root.insert(u"components"_s, components);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        root.insert(it.key(), it.value());
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QJsonObject json(const char *text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text));
    if (!doc.isObject())
        qFatal("bad test JSON: %s", text);
    return doc.object();
}

const RestToolConfig *toolNamed(const OpenApiImport &import, const QString &name)
{
    for (const RestToolConfig &t : import.tools)
        if (t.name == name)
            return &t;
    return nullptr;
}

bool hasWarning(const OpenApiImport &import, const QString &part)
{
    for (const QString &w : import.warnings)
        if (w.contains(part))
            return true;
    return false;
}

QByteArray warningsText(const OpenApiImport &import)
{
    return import.warnings.join(u" | "_s).toUtf8();
}

} // namespace

class TestOpenApiEdge final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parameters();
    void requestBodies();
    void names();
    void references();
    void referenceFanOutIsBounded();
    void unsupportedFeaturesWarn();
    void noUsableOperations();
};

void TestOpenApiEdge::parameters()
{
    const QJsonObject paths = json(R"({"/items/{id}": {
        "parameters": [
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
            {"name": "limit", "in": "query", "schema": {"type": "integer"}, "description": "path level"}
        ],
        "get": {"operationId": "getItem", "responses": {}, "parameters": [
            {"name": "limit", "in": "query", "schema": {"type": "string"}, "description": "operation level"},
            {"name": "Accept", "in": "header", "schema": {"type": "string"}},
            {"name": "authorization", "in": "header", "schema": {"type": "string"}},
            {"name": "Content-Type", "in": "header"},
            {"name": "X-Trace", "in": "header", "required": true,
             "content": {"text/plain": {"schema": {"type": "string", "maxLength": 8}}}},
            {"name": "plain", "in": "query"},
            {"name": "id", "in": "header", "schema": {"type": "string"}},
            {"name": "ghost", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "ids", "in": "query", "style": "pipeDelimited", "schema": {"type": "array"}},
            {"name": "flags", "in": "query", "explode": false, "schema": {"type": "array"}},
            {"name": "m", "in": "matrix", "schema": {"type": "string"}},
            {"name": "", "in": "query", "schema": {"type": "string"}}
        ]}}})");
    const OpenApiImport import = importOpenApi(document(paths));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QCOMPARE(import.tools.size(), 1);
    const RestToolConfig &tool = import.tools.first();
    QCOMPARE(tool.name, u"getItem"_s);
    QCOMPARE(tool.urlTemplate, u"/items/{id}"_s);

    const QJsonObject properties = tool.inputSchema.value(u"properties"_s).toObject();
    QStringList names = properties.keys();
    names.sort();
    QCOMPARE(names, (QStringList{u"X-Trace"_s, u"flags"_s, u"ghost"_s, u"id"_s, u"ids"_s, u"limit"_s, u"plain"_s}));
    // The operation's "limit" replaces the path-level one.
    QCOMPARE(properties.value(u"limit"_s).toObject(),
             (QJsonObject{{u"type"_s, u"string"_s}, {u"description"_s, u"operation level"_s}}));
    // The path parameter keeps its schema; the header of the same name is dropped with a warning.
    QCOMPARE(properties.value(u"id"_s).toObject(), (QJsonObject{{u"type"_s, u"integer"_s}}));
    QVERIFY2(hasWarning(import, u"parameter name \"id\" used twice; the header one is ignored"_s),
             warningsText(import));
    // Schema from "content"; a parameter without any schema is a string.
    QCOMPARE(properties.value(u"X-Trace"_s).toObject(), (QJsonObject{{u"type"_s, u"string"_s}, {u"maxLength"_s, 8}}));
    QCOMPARE(properties.value(u"plain"_s).toObject(), (QJsonObject{{u"type"_s, u"string"_s}}));

    QCOMPARE(tool.queryParams, (QStringList{u"limit"_s, u"plain"_s, u"ids"_s, u"flags"_s}));
    // Accept, Authorization and Content-Type headers are the client's business.
    QCOMPARE(tool.headers.keys(), QStringList{u"X-Trace"_s});
    QCOMPARE(tool.headers.value(u"X-Trace"_s), u"{X-Trace}"_s);

    QJsonArray required = tool.inputSchema.value(u"required"_s).toArray();
    QStringList requiredNames;
    for (const QJsonValue &v : required)
        requiredNames << v.toString();
    requiredNames.sort();
    QCOMPARE(requiredNames, (QStringList{u"X-Trace"_s, u"ghost"_s, u"id"_s}));

    QVERIFY2(hasWarning(import, u"path parameter \"ghost\" does not appear in the path"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"query parameter \"ids\" uses style pipeDelimited"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"query parameter \"flags\" uses style form"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"parameter \"m\" in \"matrix\" not supported; ignored"_s), warningsText(import));
    QVERIFY(!hasWarning(import, u"\"limit\""_s));
}

void TestOpenApiEdge::requestBodies()
{
    const QJsonObject paths = json(R"({
        "/a": {"post": {"operationId": "postArray", "responses": {},
            "parameters": [{"name": "body", "in": "query", "schema": {"type": "string"}}],
            "requestBody": {"required": true, "description": "The rows",
                "content": {"application/json": {"schema": {"type": "array", "items": {"type": "integer"}}}}}}},
        "/b": {"put": {"operationId": "putText", "responses": {},
            "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
        "/c": {"delete": {"operationId": "deleteWithBody", "responses": {},
            "requestBody": {"content": {"application/json": {"schema": {"type": "object",
                "properties": {"reason": {"type": "string"}}}}}}}},
        "/d": {"patch": {"operationId": "patchMerged", "responses": {},
            "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {
                "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "x"]}}}}}},
        "/e": {"post": {"operationId": "postForm", "responses": {},
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object"}}}}}}
    })");
    const OpenApiImport import = importOpenApi(document(paths));
    QVERIFY2(import.ok(), qPrintable(import.error));

    // A non-object body next to a parameter called "body": the body is "_body", with its description.
    const RestToolConfig *postArray = toolNamed(import, u"postArray"_s);
    QVERIFY(postArray);
    QCOMPARE(postArray->bodyParam, u"_body"_s);
    const QJsonObject props = postArray->inputSchema.value(u"properties"_s).toObject();
    QCOMPARE(props.value(u"_body"_s).toObject().value(u"description"_s).toString(), u"The rows"_s);
    QCOMPARE(props.value(u"_body"_s).toObject().value(u"type"_s).toString(), u"array"_s);
    QCOMPARE(props.value(u"body"_s).toObject().value(u"type"_s).toString(), u"string"_s);
    QVERIFY(postArray->inputSchema.value(u"required"_s).toArray().contains(u"_body"_s));

    // An optional body of a type the importer cannot send is dropped, the operation kept.
    const RestToolConfig *putText = toolNamed(import, u"putText"_s);
    QVERIFY(putText);
    QVERIFY(putText->bodyParam.isEmpty());
    QCOMPARE(putText->inputSchema.value(u"properties"_s).toObject(), QJsonObject());
    QVERIFY2(hasWarning(import, u"PUT /b: optional request body type text/plain not supported; ignored"_s),
             warningsText(import));
    QCOMPARE(putText->annotations.value(u"idempotentHint"_s).toBool(), true);

    // DELETE bodies are never merged into the arguments.
    const RestToolConfig *del = toolNamed(import, u"deleteWithBody"_s);
    QVERIFY(del);
    QCOMPARE(del->bodyParam, u"body"_s);
    QCOMPARE(del->annotations.value(u"destructiveHint"_s).toBool(), true);

    // A JSON-like media type with an untyped object schema is merged for PATCH; only required
    // names that exist are kept.
    const RestToolConfig *patch = toolNamed(import, u"patchMerged"_s);
    QVERIFY(patch);
    QVERIFY(patch->bodyParam.isEmpty());
    QStringList merged = patch->inputSchema.value(u"properties"_s).toObject().keys();
    merged.sort();
    QCOMPARE(merged, (QStringList{u"age"_s, u"name"_s}));
    QCOMPARE(patch->inputSchema.value(u"required"_s).toArray(), QJsonArray{u"name"_s});

    // A required body that cannot be sent skips the operation.
    QVERIFY(!toolNamed(import, u"postForm"_s));
    QVERIFY2(hasWarning(import, u"POST /e: request body type multipart/form-data not supported; operation skipped"_s),
             warningsText(import));
}

void TestOpenApiEdge::names()
{
    const QJsonObject paths = json(R"({
        "/one": {"get": {"operationId": "__dup__", "responses": {}}},
        "/two": {"get": {"operationId": "dup", "responses": {}}},
        "/three": {"get": {"operationId": "dup", "responses": {}}},
        "/four/{x}.json": {"get": {"operationId": "!!!", "responses": {}}}
    })");
    const OpenApiImport import = importOpenApi(document(paths));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QStringList names;
    for (const RestToolConfig &t : import.tools)
        names << t.name;
    names.sort();
    // Underscores at the ends are trimmed; clashes get _2, _3; an unusable operationId falls back
    // to method and path.
    QCOMPARE(names, (QStringList{u"dup"_s, u"dup_2"_s, u"dup_3"_s, u"get_four_x_json"_s}));
    QCOMPARE(import.warnings.filter(u"already used"_s).size(), 2);
}

void TestOpenApiEdge::references()
{
    const QJsonObject components = json(R"({"schemas": {
        "Tuple": {"type": "array", "items": [{"type": "string", "minLength": 2}, {"type": "integer"}]},
        "Named": {"type": "string", "description": "from the component"}
    }})");
    // Referenced from the properties of a merged object body, where an empty schema stays empty.
    const QJsonObject paths = json(R"({"/r": {"post": {"operationId": "refs", "responses": {},
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "first": {"$ref": "#/components/schemas/Tuple/items/0"},
            "second": {"$ref": "#/components/schemas/Tuple/items/1"},
            "outOfRange": {"$ref": "#/components/schemas/Tuple/items/7"},
            "notIndex": {"$ref": "#/components/schemas/Tuple/items/x"},
            "throughScalar": {"$ref": "#/components/schemas/Named/type/x"},
            "missing": {"$ref": "#/components/schemas/Nope"},
            "external": {"$ref": "other.json#/components/schemas/Named"},
            "sibling": {"$ref": "#/components/schemas/Named", "description": "from the sibling"}
        }}}}}}}})");
    const OpenApiImport import = importOpenApi(document(paths, components));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QCOMPARE(import.tools.size(), 1);
    const QJsonObject props = import.tools.first().inputSchema.value(u"properties"_s).toObject();
    QCOMPARE(props.value(u"first"_s).toObject(), (QJsonObject{{u"type"_s, u"string"_s}, {u"minLength"_s, 2}}));
    QCOMPARE(props.value(u"second"_s).toObject(), (QJsonObject{{u"type"_s, u"integer"_s}}));
    // Unresolvable references become "any value" (an empty schema) with one warning each.
    for (const char *name : {"outOfRange", "notIndex", "throughScalar", "missing", "external"})
        QVERIFY2(props.value(QLatin1String(name)).toObject().isEmpty(), name);
    for (const QString &ref : {u"#/components/schemas/Tuple/items/7"_s, u"#/components/schemas/Tuple/items/x"_s,
                               u"#/components/schemas/Named/type/x"_s, u"#/components/schemas/Nope"_s})
        QVERIFY2(hasWarning(import, u"Unresolvable reference %1;"_s.arg(ref)), warningsText(import));
    QVERIFY2(hasWarning(import, u"External reference other.json#/components/schemas/Named is not supported"_s),
             warningsText(import));
    // OpenAPI 3.1: siblings of $ref override the referenced schema's keywords.
    QCOMPARE(props.value(u"sibling"_s).toObject(),
             (QJsonObject{{u"type"_s, u"string"_s}, {u"description"_s, u"from the sibling"_s}}));
}

void TestOpenApiEdge::referenceFanOutIsBounded()
{
    // L0 -> 2 x L1 -> 4 x L2 ... -> 2^18 references: far more than the importer expands.
    QJsonObject schemas;
    const int levels = 18;
    for (int i = 0; i < levels; ++i) {
        const QJsonObject next{{u"$ref"_s, u"#/components/schemas/L%1"_s.arg(i + 1)}};
        schemas.insert(u"L%1"_s.arg(i), QJsonObject{{u"type"_s, u"object"_s},
                                                    {u"properties"_s, QJsonObject{{u"a"_s, next}, {u"b"_s, next}}}});
    }
    schemas.insert(u"L%1"_s.arg(levels), QJsonObject{{u"type"_s, u"string"_s}});
    const QJsonObject paths{
        {u"/bomb"_s,
         QJsonObject{
             {u"post"_s,
              QJsonObject{
                  {u"operationId"_s, u"bomb"_s},
                  {u"responses"_s, QJsonObject{}},
                  {u"requestBody"_s,
                   QJsonObject{
                       {u"content"_s,
                        QJsonObject{{u"application/json"_s,
                                     QJsonObject{{u"schema"_s,
                                                  QJsonObject{{u"$ref"_s, u"#/components/schemas/L0"_s}}}}}}}}}}}}}};
    QElapsedTimer timer;
    timer.start();
    const OpenApiImport import = importOpenApi(document(paths, {{u"schemas"_s, schemas}}));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QCOMPARE(import.tools.size(), 1);
    QVERIFY2(hasWarning(import, u"Too many references to expand"_s), warningsText(import));
    // The tool is still usable: the body's top level was expanded.
    const QJsonObject props = import.tools.first().inputSchema.value(u"properties"_s).toObject();
    QVERIFY2(props.contains(u"a"_s) && props.contains(u"b"_s), QJsonDocument(props).toJson().constData());
}

void TestOpenApiEdge::unsupportedFeaturesWarn()
{
    const QJsonObject components = json(R"({"securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer"},
        "oauth": {"type": "oauth2", "flows": {}},
        "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
    }})");
    const QJsonObject paths = json(R"({
        "/s": {"servers": [{"url": "https://other.example.com"}],
               "get": {"operationId": "pathServers", "responses": {}}},
        "/t": {"get": {"operationId": "opExtras", "responses": {},
               "servers": [{"url": "https://third.example.com"}],
               "callbacks": {"done": {"{$request.body#/url}": {"post": {"responses": {}}}}}}}
    })");
    const OpenApiImport import =
        importOpenApi(document(paths, components, {{u"webhooks"_s, json(R"({"newPet": {"post": {}}})")}}));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QCOMPARE(import.tools.size(), 2);
    QVERIFY2(hasWarning(import, u"Webhooks are not supported; ignored"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"GET /s: operation-specific servers are not supported"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"GET /t: operation-specific servers are not supported"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"GET /t: callbacks are not supported; ignored"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"bearerAuth: HTTP bearer"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"oauth: oauth2"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"key: API key in header \"X-Key\""_s), warningsText(import));
    // The base URL is the document's, not an operation's.
    QCOMPARE(import.baseUrl, QUrl(u"https://api.example.com/v1"_s));
}

void TestOpenApiEdge::noUsableOperations()
{
    const QJsonObject paths = json(R"({"/x": {"options": {"responses": {}}, "trace": {"responses": {}},
                                            "summary": "nothing callable"}})");
    const OpenApiImport import = importOpenApi(document(paths));
    QVERIFY2(import.ok(), qPrintable(import.error));
    QVERIFY(import.tools.isEmpty());
    QVERIFY2(hasWarning(import, u"OPTIONS /x: method not supported; skipped"_s), warningsText(import));
    QVERIFY2(hasWarning(import, u"TRACE /x: method not supported; skipped"_s), warningsText(import));
    QCOMPARE(import.warnings.last(), u"The document defines no usable operations"_s);
}

QTEST_GUILESS_MAIN(TestOpenApiEdge)
#include "tst_openapi_edge.moc"
