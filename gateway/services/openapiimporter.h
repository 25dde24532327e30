#pragma once

// Turns an OpenAPI 3.0/3.1 document (JSON) into REST tool definitions: one tool per
// operation, named by operationId (else "<method>_<path>" sanitised), with an input schema
// built from path/query/header parameters and a JSON request body ("body" property, or the
// body's own properties when it is an object and names do not clash), local $refs resolved.

#include "model/config.h"

#include <QByteArray>
#include <QStringList>

namespace metamcp {

struct OpenApiImport
{
    QUrl baseUrl; // servers[0].url (resolved against the document URL if relative)
    QList<RestToolConfig> tools;
    QStringList warnings; // operations skipped and why
    QString error;        // non-empty: not an OpenAPI 3 document
    bool ok() const { return error.isEmpty(); }
};

OpenApiImport importOpenApi(const QByteArray &document, const QUrl &documentUrl = {});

} // namespace metamcp
