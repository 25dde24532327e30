#pragma once

// Configuration as code: the declarative document (JSON or YAML) that `metamcpd apply`,
// `metamcpd --config` and the console's Import configuration take and that `metamcpd export`
// and Export configuration write; format in docs/CONFIG-AS-CODE.md, JSON Schema in
// resources/schema/metamcp-config.schema.json (compiled in as :/metamcp/schema/...).
//
// A document goes: read (JSON or YAML into one JSON value) -> schema check -> parse into a
// GatewayConfig with secret references -> semantic checks (ConfigService::validate) -> resolve
// the references (env now, keychain asynchronously) -> ConfigService::change (or preview for a
// dry run). Every problem names the path of the value ("servers.github.headers.Authorization:
// ..."), and all are found before anything is written: no partial apply.
//
// Secrets never appear in clear: a secret value (a header or environment variable that is
// marked secret or looks secret by name, UpstreamConfig::secretFields) must be a reference,
// {"secret": "keychain:<entry>"} or {"secret": "env:<VAR>"}; an env: reference is read when the
// document is applied and stored into the keychain. Export writes keychain references to the
// entries the gateway keeps (CredentialStore::serverKey).
//
// Versioned ("version": 1). A later issue that adds a section (policies, OAuth connections,
// tenants) adds its key to the schema and to parse()/write(); documents of version 1 stay valid.

#include "model/config.h"
#include "services/configservice.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace metamcp {

class CredentialStore;

namespace configdoc {

inline constexpr int kVersion = 1;

enum class Format { Json, Yaml };
// Yaml for *.yaml / *.yml, else Json.
Format formatForPath(const QString &path);

// A document read and checked, its secrets still references.
struct Desired
{
    GatewayConfig config;    // secret values empty until resolved
    bool hasListen = false;  // settings.listen given (else the listen settings stay)
    bool hasDefault = false; // namespaces.default given (else the default namespace stays)
    // server -> secret field ("header:Authorization", "env:TOKEN") -> "keychain:<entry>" / "env:<VAR>"
    QHash<QString, QHash<QString, QString>> secrets;
};

// The document as one JSON object (YAML converted: plain scalars true/false, null, numbers are
// typed, quoted ones are strings). Empty with `error` set when it cannot be read.
QJsonObject read(const QByteArray &text, Format format, QString *error);
// The compiled-in JSON Schema.
QJsonObject schema();
// Reads, checks against the schema and parses; `errors` (each naming its path) empty on success.
Desired parse(const QByteArray &text, Format format, QStringList *errors);
// The document for `config` (secret values as keychain references), keys sorted: the same
// configuration always gives the same bytes.
QByteArray write(const GatewayConfig &config, Format format);

// Fills the secret values of `desired` from its references: env: at once, keychain: through
// `credentials`. `done` gets the problems (empty: all resolved).
void resolveSecrets(Desired desired, CredentialStore &credentials,
                    std::function<void(const QStringList &errors, const Desired &resolved)> done);
// The edit that makes the configuration what `desired` says (servers and namespaces not in it
// are removed, except the default namespace when the document does not name it).
ConfigService::Edit edit(const Desired &desired);

// Reads, checks, resolves and then applies `text` through `service` (or only previews it:
// dryRun). While listen settings are overridden (metamcpd --listen), settings.listen is left out. `done` gets the error
// (all problems, one a line) or the changes.
void apply(ConfigService &service, CredentialStore &credentials, const QByteArray &text, Format format, bool dryRun,
           ConfigService::Done done);

// One line per change: "+ server github", "~ server everything: args, env.TOKEN",
// "- namespace old"; "no changes" for none. `metamcpd apply` prints it; the console's import
// preview lists describeChange() of each change.
QString describe(const QList<ConfigChange> &changes);
// The line of one change.
QString describeChange(const ConfigChange &change);

} // namespace configdoc
} // namespace metamcp
