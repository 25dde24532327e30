#pragma once

// JSON Schema validation of tool arguments with valijson (drafts 4/6/7; 2020-12 keywords that
// valijson lacks are ignored). Compiled schemas are kept in an LRU cache of a bounded number of
// schemas (setCapacity; McpLimits::schemaCacheEntries), by their serialized text or a key the
// caller chooses.
// Not thread-safe: one instance per thread.

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace metamcp {

struct SchemaViolation
{
    QString path;    // JSON pointer-ish path of the failing value, "/" for the root, e.g. "/items/0/name"
    QString message; // "Expected string, found number" etc. (valijson's description)
};

class SchemaValidator final
{
public:
    SchemaValidator();
    ~SchemaValidator();
    SchemaValidator(const SchemaValidator &) = delete;
    SchemaValidator &operator=(const SchemaValidator &) = delete;

    // std::nullopt when `value` satisfies `schema` (or the schema itself cannot be parsed:
    // the upstream then decides). Otherwise the first, most specific violation.
    std::optional<SchemaViolation> validate(const QJsonObject &schema, const QJsonValue &value);
    // Same, with the cache key chosen by the caller (e.g. server, tool and registry generation),
    // which saves serialising the schema on every call.
    std::optional<SchemaViolation> validate(const QByteArray &cacheKey, const QJsonObject &schema,
                                            const QJsonValue &value);

    void clearCache();

    static constexpr int kDefaultCapacity = 4096;
    void setCapacity(int schemas);
    int capacity() const;
    int cachedCount() const;
    quint64 compilations() const; // schemas compiled so far (cache misses)

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace metamcp
