#include "core/namespaceindex.h"

#include "core/calllog.h"
#include "model/protocol.h"

namespace metamcp {

QRegularExpression NamespaceIndex::templateRegex(const QString &uriTemplate)
{
    QString pattern = QStringLiteral("^");
    qsizetype pos = 0;
    while (pos < uriTemplate.size()) {
        const qsizetype open = uriTemplate.indexOf(QLatin1Char('{'), pos);
        if (open < 0) {
            pattern += QRegularExpression::escape(uriTemplate.mid(pos));
            break;
        }
        pattern += QRegularExpression::escape(uriTemplate.mid(pos, open - pos));
        const qsizetype close = uriTemplate.indexOf(QLatin1Char('}'), open);
        if (close < 0)
            return QRegularExpression(QStringLiteral("(")); // invalid template: an invalid regex
        pattern += QStringLiteral(".*");
        pos = close + 1;
    }
    pattern += QLatin1Char('$');
    return QRegularExpression(pattern);
}

NamespaceIndex NamespaceIndex::build(const NamespaceConfig &ns, const QList<ServerListing> &servers, quint64 generation)
{
    NamespaceIndex idx;
    idx.generation = generation;
    for (const ServerListing &listing : servers) {
        const QString &server = listing.server;
        if (!listing.running || listing.state != UpstreamState::Ready || !listing.loaded) {
            QString state = listing.running ? upstreamStateName(listing.state) : QStringLiteral("stopped");
            QString reason =
                listing.running ? listing.stateReason : (!listing.enabled ? QStringLiteral("disabled") : QString());
            if (listing.running && listing.state == UpstreamState::Ready && !listing.loaded)
                reason = QStringLiteral("did not list its tools in time");
            idx.unavailable.append(QJsonObject{{QStringLiteral("server"), server},
                                               {QStringLiteral("state"), state},
                                               {QStringLiteral("reason"), reason}});
            continue;
        }
        for (const QJsonValue &v : listing.tools) {
            QJsonObject tool = v.toObject();
            const QString upstreamName = tool.value(QLatin1String("name")).toString();
            if (upstreamName.isEmpty())
                continue;
            if (const QString problem =
                    mcp::headerAnnotationProblem(tool.value(QLatin1String("inputSchema")).toObject());
                !problem.isEmpty()) {
                // A client could not send the headers it asks for: leave it out (SEP-2243).
                qCWarning(lcCalls).noquote() << "tool" << upstreamName << "of" << server << "left out:" << problem;
                continue;
            }
            ToolRef ref;
            ref.server = server;
            ref.upstreamName = upstreamName;
            QString exposed = ns.prefixNames ? server + ns.separator + upstreamName : upstreamName;
            for (const ToolOverride &o : ns.toolOverrides) {
                if (o.server != server || o.tool != upstreamName)
                    continue;
                ref.enabled = o.enabled;
                if (!o.rename.isEmpty())
                    exposed = o.rename;
                if (!o.description.isEmpty())
                    tool.insert(QStringLiteral("description"), o.description);
            }
            if (idx.tools.contains(exposed))
                continue; // first server wins; the console shows the clash
            tool.insert(QStringLiteral("name"), exposed);
            ref.tool = tool;
            ref.inputSchema = tool.value(QLatin1String("inputSchema")).toObject();
            ref.validatorKey =
                (server + QLatin1Char('\n') + upstreamName + QLatin1Char('\n') + QString::number(listing.generation))
                    .toUtf8();
            idx.tools.insert(exposed, ref);
            if (ref.enabled)
                idx.toolList.append(tool);
            idx.toolInfos.append(ToolInfo{ns.name, exposed, server, upstreamName, ref.enabled,
                                          tool.value(QLatin1String("description")).toString(), tool});
        }
        for (const QJsonValue &v : listing.prompts) {
            QJsonObject prompt = v.toObject();
            const QString upstreamName = prompt.value(QLatin1String("name")).toString();
            const QString exposed = ns.prefixNames ? server + ns.separator + upstreamName : upstreamName;
            if (upstreamName.isEmpty() || idx.prompts.contains(exposed))
                continue;
            prompt.insert(QStringLiteral("name"), exposed);
            idx.prompts.insert(exposed, PromptRef{server, upstreamName});
            idx.promptList.append(prompt);
        }
        for (const QJsonValue &v : listing.resources) {
            const QJsonObject resource = v.toObject();
            const QString uri = resource.value(QLatin1String("uri")).toString();
            if (uri.isEmpty() || idx.resourceServer.contains(uri))
                continue;
            idx.resourceServer.insert(uri, server);
            idx.resourceList.append(resource);
        }
        for (const QJsonValue &v : listing.resourceTemplates) {
            const QJsonObject t = v.toObject();
            const QString uriTemplate = t.value(QLatin1String("uriTemplate")).toString();
            if (uriTemplate.isEmpty())
                continue;
            idx.templateServers.append({templateRegex(uriTemplate), server});
            idx.templateList.append(t);
        }
    }
    return idx;
}

const ToolRef *NamespaceIndex::enabledTool(const QString &exposed) const
{
    const auto it = tools.constFind(exposed);
    return it == tools.cend() || !it->enabled ? nullptr : &*it;
}

QString NamespaceIndex::serverForUri(const QString &uri) const
{
    if (const auto it = resourceServer.constFind(uri); it != resourceServer.cend())
        return *it;
    for (const auto &[re, server] : templateServers)
        if (re.isValid() && re.match(uri).hasMatch())
            return server;
    return {};
}

} // namespace metamcp
