<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>stdio</source>
        <translation>stdio</translation>
    </message>
    <message>
        <source>Streamable HTTP</source>
        <translation>Streamable HTTP</translation>
    </message>
    <message>
        <source>SSE</source>
        <translation>SSE</translation>
    </message>
    <message>
        <source>REST</source>
        <translation>REST</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Failing</source>
        <translation>Fehlerhaft</translation>
    </message>
    <message>
        <source>%1 µs</source>
        <translation>%1 µs</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>MetaMCP Console</source>
        <translation>MetaMCP Console</translation>
    </message>
    <message>
        <source>Folder holding metamcp.db.</source>
        <translation>Ordner mit der metamcp.db.</translation>
    </message>
    <message>
        <source>Add the mcpServers of a client config file to the default namespace (idempotent).</source>
        <translation>Die mcpServers einer Client-Konfigurationsdatei in den Standard-Namespace aufnehmen (idempotent).</translation>
    </message>
    <message>
        <source>Start in the system tray.</source>
        <translation>Im Systembereich der Kontrollleiste starten.</translation>
    </message>
    <message>
        <source>Do not show the first-run wizard.</source>
        <translation>Den Einrichtungsassistenten nicht anzeigen.</translation>
    </message>
    <message>
        <source>Print the time to the first painted window and the idle memory, then quit.</source>
        <translation>Die Zeit bis zum ersten gezeichneten Fenster und den Speicherbedarf im Leerlauf ausgeben, dann beenden.</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ClientSetupPanel</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy %1</source>
        <translation>%1 kopieren</translation>
    </message>
    <message>
        <source>&amp;Write config file</source>
        <translation>Konfigurationsdatei &amp;schreiben</translation>
    </message>
    <message>
        <source>By URL (Streamable HTTP)</source>
        <translation>Über die URL (Streamable HTTP)</translation>
    </message>
    <message>
        <source>By starting metamcpd --stdio</source>
        <translation>Durch Starten von metamcpd --stdio</translation>
    </message>
    <message>
        <source>Changes to the config file</source>
        <translation>Änderungen an der Konfigurationsdatei</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose the config file</source>
        <translation>Konfigurationsdatei wählen</translation>
    </message>
    <message>
        <source>Configure a client</source>
        <translation>Einen Client einrichten</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Client:</translation>
    </message>
    <message>
        <source>Config &amp;file:</source>
        <translation>Konfigurations&amp;datei:</translation>
    </message>
    <message>
        <source>C&amp;onnect:</source>
        <translation>&amp;Verbinden:</translation>
    </message>
    <message>
        <source>&amp;Namespace:</source>
        <translation>&amp;Namespace:</translation>
    </message>
    <message>
        <source>&amp;Entry name:</source>
        <translation>&amp;Name des Eintrags:</translation>
    </message>
    <message>
        <source>Changes that will be written:</source>
        <translation>Diese Änderungen werden geschrieben:</translation>
    </message>
    <message>
        <source>Streamable HTTP URL</source>
        <translation>Streamable-HTTP-URL</translation>
    </message>
    <message>
        <source>SSE URL</source>
        <translation>SSE-URL</translation>
    </message>
    <message>
        <source>stdio command</source>
        <translation>stdio-Befehl</translation>
    </message>
    <message>
        <source>Any other client</source>
        <translation>Jeder andere Client</translation>
    </message>
    <message>
        <source>Streamable HTTP URL:</source>
        <translation>Streamable-HTTP-URL:</translation>
    </message>
    <message>
        <source>SSE URL (older clients):</source>
        <translation>SSE-URL (ältere Clients):</translation>
    </message>
    <message>
        <source>Command (stdio clients):</source>
        <translation>Befehl (stdio-Clients):</translation>
    </message>
    <message>
        <source>Client config file</source>
        <translation>Konfigurationsdatei des Clients</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>(the gateway is not running)</source>
        <translation>(das Gateway läuft nicht)</translation>
    </message>
    <message>
        <source>Choose the client&apos;s config file.</source>
        <translation>Wählen Sie die Konfigurationsdatei des Clients.</translation>
    </message>
    <message>
        <source>Enter a name for the entry, e.g. metamcp.</source>
        <translation>Geben Sie einen Namen für den Eintrag ein, z. B. metamcp.</translation>
    </message>
    <message>
        <source>The gateway is not running, so it has no URL yet.</source>
        <translation>Das Gateway läuft nicht und hat daher noch keine URL.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1 is not plain JSON (%2), so the console will not touch it. Add this entry by hand: %3</source>
        <translation>%1 ist kein reines JSON (%2), daher lässt die Konsole die Datei unverändert. Fügen Sie diesen Eintrag von Hand hinzu: %3</translation>
    </message>
    <message>
        <source>%1 already points at the gateway.</source>
        <translation>%1 verweist bereits auf das Gateway.</translation>
    </message>
    <message>
        <source>Review the changes, then write the file. The old file is kept as a backup.</source>
        <translation>Prüfen Sie die Änderungen und schreiben Sie dann die Datei. Die alte Datei bleibt als Sicherung erhalten.</translation>
    </message>
    <message>
        <source>The file does not exist yet; it will be created.</source>
        <translation>Die Datei existiert noch nicht; sie wird angelegt.</translation>
    </message>
    <message>
        <source>Nothing to write.</source>
        <translation>Es gibt nichts zu schreiben.</translation>
    </message>
    <message>
        <source>The file changed since the preview; review the new changes.</source>
        <translation>Die Datei wurde seit der Vorschau geändert; prüfen Sie die neuen Änderungen.</translation>
    </message>
    <message>
        <source>Cannot make the backup %1; nothing was written.</source>
        <translation>Die Sicherung %1 kann nicht angelegt werden; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Wrote %1. Restart %2 to connect it to the gateway.</source>
        <translation>%1 wurde geschrieben. Starten Sie %2 neu, um es mit dem Gateway zu verbinden.</translation>
    </message>
    <message>
        <source>Wrote %1 (backup: %2). Restart %3 to connect it to the gateway.</source>
        <translation>%1 wurde geschrieben (Sicherung: %2). Starten Sie %3 neu, um es mit dem Gateway zu verbinden.</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ConfigImportDialog</name>
    <message>
        <source>Import configuration</source>
        <translation>Konfiguration importieren</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Änderungen</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Übernehmen</translation>
    </message>
    <message>
        <source>Cannot read %1. Nothing was changed.</source>
        <translation>%1 kann nicht gelesen werden. Nichts wurde geändert.</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft…</translation>
    </message>
    <message>
        <source>%1 cannot be imported. Nothing was changed:</source>
        <translation>%1 kann nicht importiert werden. Nichts wurde geändert:</translation>
    </message>
    <message>
        <source>No changes: the configuration already is what %1 says.</source>
        <translation>Keine Änderungen: Die Konfiguration entspricht bereits %1.</translation>
    </message>
    <message numerus="yes">
        <source>Importing %1 makes %n change(s). Nothing has changed yet.</source>
        <translation>
            <numerusform>Der Import von %1 ergibt %n Änderung. Noch wurde nichts geändert.</numerusform>
            <numerusform>Der Import von %1 ergibt %n Änderungen. Noch wurde nichts geändert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Applying %1…</source>
        <translation>%1 wird übernommen…</translation>
    </message>
    <message>
        <source>Applying %1 failed. Nothing was changed:</source>
        <translation>%1 konnte nicht übernommen werden. Nichts wurde geändert:</translation>
    </message>
    <message>
        <source>Applied %1: no changes were needed.</source>
        <translation>%1 übernommen: Es waren keine Änderungen nötig.</translation>
    </message>
    <message numerus="yes">
        <source>Applied %1: %n change(s) made.</source>
        <translation>
            <numerusform>%1 übernommen: %n Änderung vorgenommen.</numerusform>
            <numerusform>%1 übernommen: %n Änderungen vorgenommen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Added (%1)</source>
        <translation>Hinzugefügt (%1)</translation>
    </message>
    <message>
        <source>Changed (%1)</source>
        <translation>Geändert (%1)</translation>
    </message>
    <message>
        <source>Removed (%1)</source>
        <translation>Entfernt (%1)</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Schließen</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ConfigTransfer</name>
    <message>
        <source>YAML (*.yaml *.yml)</source>
        <translation>YAML (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export configuration</source>
        <translation>Konfiguration exportieren</translation>
    </message>
    <message>
        <source>Exported the configuration to %1.</source>
        <translation>Die Konfiguration wurde nach %1 exportiert.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Import configuration</source>
        <translation>Konfiguration importieren</translation>
    </message>
    <message>
        <source>Configuration documents (*.yaml *.yml *.json)</source>
        <translation>Konfigurationsdokumente (*.yaml *.yml *.json)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
    <message numerus="yes">
        <source>Imported %1: %n change(s).</source>
        <translation>
            <numerusform>%1 importiert: %n Änderung.</numerusform>
            <numerusform>%1 importiert: %n Änderungen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>metamcp::ui::DashboardPanel</name>
    <message>
        <source>Requests per second</source>
        <translation>Anfragen pro Sekunde</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>Anfr./s</translation>
    </message>
    <message>
        <source>requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>Active sessions</source>
        <translation>Aktive Sitzungen</translation>
    </message>
    <message>
        <source>sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>in Bearbeitung</translation>
    </message>
    <message>
        <source>Chart window</source>
        <translation>Zeitraum der Diagramme</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>Letzte 5 Minuten</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Zeigen:</translation>
    </message>
    <message>
        <source>Upstream state</source>
        <translation>Zustand der Upstreams</translation>
    </message>
    <message>
        <source>Upstreams</source>
        <translation>Upstreams</translation>
    </message>
    <message>
        <source>requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>latency p95</source>
        <translation>Latenz p95</translation>
    </message>
    <message>
        <source>active sessions</source>
        <translation>aktive Sitzungen</translation>
    </message>
    <message numerus="yes">
        <source>upstreams ready, %n failing</source>
        <translation>
            <numerusform>Upstreams bereit, %n fehlerhaft</numerusform>
            <numerusform>Upstreams bereit, %n fehlerhaft</numerusform>
        </translation>
    </message>
    <message>
        <source>upstreams ready</source>
        <translation>Upstreams bereit</translation>
    </message>
    <message>
        <source>Upstream states</source>
        <translation>Zustände der Upstream-Server</translation>
    </message>
    <message>
        <source>servers</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>failing</source>
        <translation>fehlerhaft</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::FirstRunWizard</name>
    <message>
        <source>Welcome to MetaMCP Console</source>
        <translation>Willkommen bei MetaMCP Console</translation>
    </message>
    <message>
        <source>Bring your MCP servers along</source>
        <translation>Bringen Sie Ihre MCP-Server mit</translation>
    </message>
    <message>
        <source>MetaMCP serves many MCP servers through one endpoint. These clients already have servers configured; check the ones to import into the default namespace.</source>
        <translation>MetaMCP stellt viele MCP-Server über einen Endpunkt bereit. In diesen Clients sind bereits Server eingerichtet; haken Sie die an, die in den Standard-Namespace übernommen werden sollen.</translation>
    </message>
    <message>
        <source>Client configurations to import</source>
        <translation>Zu übernehmende Client-Konfigurationen</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n server(s) (%2)</source>
        <translation>
            <numerusform>%1: %n Server (%2)</numerusform>
            <numerusform>%1: %n Server (%2)</numerusform>
        </translation>
    </message>
    <message>
        <source>No Claude Desktop, Cursor or VS Code configuration with MCP servers was found. You can add servers later in the Servers panel.</source>
        <translation>Es wurde keine Konfiguration von Claude Desktop, Cursor oder VS Code mit MCP-Servern gefunden. Sie können Server später im Bereich „Server“ hinzufügen.</translation>
    </message>
    <message>
        <source>Choose the gateway&apos;s port</source>
        <translation>Port des Gateways wählen</translation>
    </message>
    <message>
        <source>Clients connect to http://127.0.0.1:&lt;port&gt;/mcp. The port must not be used by another program.</source>
        <translation>Clients verbinden sich mit http://127.0.0.1:&lt;Port&gt;/mcp. Der Port darf nicht von einem anderen Programm belegt sein.</translation>
    </message>
    <message>
        <source>Port %1 is free.</source>
        <translation>Port %1 ist frei.</translation>
    </message>
    <message>
        <source>Port %1 is taken by another program; %2 is free.</source>
        <translation>Port %1 ist von einem anderen Programm belegt; %2 ist frei.</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Finish imports the checked servers and starts serving on the chosen port. The Client setup panel then points Claude Desktop, Cursor or VS Code at the gateway.</source>
        <translation>„Fertigstellen“ übernimmt die angehakten Server und stellt das Gateway auf dem gewählten Port bereit. Im Bereich „Client-Einrichtung“ verbinden Sie danach Claude Desktop, Cursor oder VS Code mit dem Gateway.</translation>
    </message>
    <message>
        <source>Imported %1 from %2.</source>
        <translation>%1 aus %2 übernommen.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::InspectorPanel</name>
    <message>
        <source>… (%1 more characters not shown)</source>
        <translation>… (%1 weitere Zeichen nicht angezeigt)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Anhalten</translation>
    </message>
    <message>
        <source>&amp;Replay</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Filter (method, tool, upstream, client, session, error)</source>
        <translation>Filter (Methode, Werkzeug, Upstream, Client, Sitzung, Fehler)</translation>
    </message>
    <message>
        <source>Filter traffic</source>
        <translation>Verkehr filtern</translation>
    </message>
    <message>
        <source>Method filter</source>
        <translation>Methodenfilter</translation>
    </message>
    <message>
        <source>All methods</source>
        <translation>Alle Methoden</translation>
    </message>
    <message>
        <source>Status filter</source>
        <translation>Statusfilter</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Tool errors</source>
        <translation>Werkzeugfehler</translation>
    </message>
    <message>
        <source>Namespace filter</source>
        <translation>Namespace-Filter</translation>
    </message>
    <message>
        <source>All namespaces</source>
        <translation>Alle Namespaces</translation>
    </message>
    <message>
        <source>Stop updating the table; messages are kept and shown on resume</source>
        <translation>Die Tabelle nicht mehr aktualisieren; Nachrichten werden aufbewahrt und beim Fortsetzen angezeigt</translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>E&amp;xportieren…</translation>
    </message>
    <message>
        <source>Save the selected messages (or all shown) as JSON Lines</source>
        <translation>Die ausgewählten (oder alle angezeigten) Nachrichten als JSON Lines speichern</translation>
    </message>
    <message>
        <source>Send the selected request again into the same namespace</source>
        <translation>Die ausgewählte Anfrage erneut in denselben Namespace senden</translation>
    </message>
    <message>
        <source>Traffic</source>
        <translation>Verkehr</translation>
    </message>
    <message>
        <source>Re&amp;quest</source>
        <translation>An&amp;frage</translation>
    </message>
    <message>
        <source>Re&amp;sponse</source>
        <translation>A&amp;ntwort</translation>
    </message>
    <message>
        <source>&amp;Notifications</source>
        <translation>&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <source>Select a request and press Replay to send it again.</source>
        <translation>Wählen Sie eine Anfrage und klicken Sie auf „Wiederholen“, um sie erneut zu senden.</translation>
    </message>
    <message>
        <source>Original response</source>
        <translation>Ursprüngliche Antwort</translation>
    </message>
    <message>
        <source>Replayed response</source>
        <translation>Antwort der Wiederholung</translation>
    </message>
    <message>
        <source>Re&amp;play</source>
        <translation>&amp;Wiederholung</translation>
    </message>
    <message>
        <source>Res&amp;ume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>%1 of %2 messages shown (keeps the newest %3)</source>
        <translation>%1 von %2 Nachrichten angezeigt (die neuesten %3 werden aufbewahrt)</translation>
    </message>
    <message numerus="yes">
        <source>paused, %n message(s) waiting</source>
        <translation>
            <numerusform>angehalten, %n Nachricht wartet</numerusform>
            <numerusform>angehalten, %n Nachrichten warten</numerusform>
        </translation>
    </message>
    <message>
        <source>(not captured)</source>
        <translation>(nicht aufgezeichnet)</translation>
    </message>
    <message>
        <source>(a notification has no response)</source>
        <translation>(eine Benachrichtigung hat keine Antwort)</translation>
    </message>
    <message>
        <source>(no notifications during this call)</source>
        <translation>(keine Benachrichtigungen während dieses Aufrufs)</translation>
    </message>
    <message>
        <source>&amp;Notifications (%1)</source>
        <translation>&amp;Benachrichtigungen (%1)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Export messages</source>
        <translation>Nachrichten exportieren</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>Nach %1 exportiert.</translation>
    </message>
    <message>
        <source>Replaying %1 into namespace %2…</source>
        <translation>%1 wird im Namespace %2 wiederholt…</translation>
    </message>
    <message>
        <source>Replayed in %1 (originally %2): %3</source>
        <translation>Wiederholt in %1 (ursprünglich %2): %3</translation>
    </message>
    <message>
        <source>the same result</source>
        <translation>dasselbe Ergebnis</translation>
    </message>
    <message>
        <source>a different result</source>
        <translation>ein anderes Ergebnis</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::MainWindow</name>
    <message>
        <source>MetaMCP Console</source>
        <translation>MetaMCP Console</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>Bereiche</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Strg+%2)</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Namespaces and tools</source>
        <translation>Namespaces und Werkzeuge</translation>
    </message>
    <message>
        <source>Traffic inspector</source>
        <translation>Verkehrsinspektor</translation>
    </message>
    <message>
        <source>Client setup</source>
        <translation>Client-Einrichtung</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Import client config…</source>
        <translation>Client-Konfiguration &amp;importieren…</translation>
    </message>
    <message>
        <source>Import &amp;OpenAPI…</source>
        <translation>&amp;OpenAPI importieren…</translation>
    </message>
    <message>
        <source>&amp;Export traffic…</source>
        <translation>Verkehr &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>Fenster &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Gateway</source>
        <translation>&amp;Gateway</translation>
    </message>
    <message>
        <source>&amp;Add server…</source>
        <translation>Server &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Pause gateway</source>
        <translation>Gateway &amp;anhalten</translation>
    </message>
    <message>
        <source>Answer clients with 503 while the upstreams keep running</source>
        <translation>Clients mit 503 antworten, während die Upstreams weiterlaufen</translation>
    </message>
    <message>
        <source>&amp;Copy endpoint URL</source>
        <translation>Endpunkt-URL &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Find in traffic</source>
        <translation>Im Verkehr &amp;suchen</translation>
    </message>
    <message>
        <source>Pause &amp;traffic view</source>
        <translation>&amp;Verkehrsansicht anhalten</translation>
    </message>
    <message>
        <source>F&amp;ull screen</source>
        <translation>&amp;Vollbild</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About MetaMCP Console</source>
        <translation>&amp;Über MetaMCP Console</translation>
    </message>
    <message>
        <source>About MetaMCP Console</source>
        <translation>Über MetaMCP Console</translation>
    </message>
    <message>
        <source>&lt;h3&gt;MetaMCP Console %1&lt;/h3&gt;&lt;p&gt;A desktop console around an embedded MCP gateway: one endpoint in front of many MCP servers and REST APIs.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MetaMCP Console %1&lt;/h3&gt;&lt;p&gt;Eine Desktop-Konsole um ein eingebettetes MCP-Gateway: ein Endpunkt vor vielen MCP-Servern und REST-APIs.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>The gateway could not start: %1</source>
        <translation>Das Gateway konnte nicht starten: %1</translation>
    </message>
    <message>
        <source>The gateway could not start: %1 &lt;a href=&quot;settings&quot;&gt;Change the settings&lt;/a&gt;</source>
        <translation>Das Gateway konnte nicht starten: %1 &lt;a href=&quot;settings&quot;&gt;Einstellungen ändern&lt;/a&gt;</translation>
    </message>
    <message>
        <source>Gateway stopped</source>
        <translation>Gateway angehalten</translation>
    </message>
    <message>
        <source>Gateway paused (clients get 503) at %1</source>
        <translation>Gateway pausiert (Clients erhalten 503) unter %1</translation>
    </message>
    <message>
        <source>Gateway serving at %1</source>
        <translation>Gateway bereit unter %1</translation>
    </message>
    <message>
        <source>%1 of %2 servers ready, %3 failing</source>
        <translation>%1 von %2 Servern bereit, %3 fehlerhaft</translation>
    </message>
    <message>
        <source>%1 of %2 servers ready</source>
        <translation>%1 von %2 Servern bereit</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s)</source>
        <translation>
            <numerusform>%n Sitzung</numerusform>
            <numerusform>%n Sitzungen</numerusform>
        </translation>
    </message>
    <message>
        <source>MetaMCP keeps running</source>
        <translation>MetaMCP läuft weiter</translation>
    </message>
    <message>
        <source>The gateway keeps serving in the background. Use the tray icon to open the console or quit.</source>
        <translation>Das Gateway arbeitet im Hintergrund weiter. Über das Symbol in der Kontrollleiste öffnen Sie die Konsole oder beenden das Programm.</translation>
    </message>
    <message>
        <source>Import co&amp;nfiguration…</source>
        <translation>Ko&amp;nfiguration importieren…</translation>
    </message>
    <message>
        <source>Preview and apply a configuration document (JSON or YAML)</source>
        <translation>Ein Konfigurationsdokument (JSON oder YAML) prüfen und übernehmen</translation>
    </message>
    <message>
        <source>Export confi&amp;guration…</source>
        <translation>Konfi&amp;guration exportieren…</translation>
    </message>
    <message>
        <source>Write the configuration as a document (JSON or YAML); secrets stay in the keychain</source>
        <translation>Die Konfiguration als Dokument (JSON oder YAML) schreiben; Geheimnisse bleiben im Schlüsselbund</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::MetricHistoryModel</name>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::NamespaceModel</name>
    <message numerus="yes">
        <source>%n server(s)</source>
        <translation>
            <numerusform>%n Server</numerusform>
            <numerusform>%n Server</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>metamcp::ui::NamespacesPanel</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the %1 to the clipboard</source>
        <translation>Die %1 in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <source>Copy the %1</source>
        <translation>Die %1 kopieren</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Show &amp;disabled</source>
        <translation>&amp;Deaktivierte zeigen</translation>
    </message>
    <message>
        <source>&amp;Enabled in this namespace</source>
        <translation>In diesem Namespace &amp;aktiviert</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Übernehmen</translation>
    </message>
    <message>
        <source>Namespaces</source>
        <translation>Namespaces</translation>
    </message>
    <message>
        <source>New namespace</source>
        <translation>Neuer Namespace</translation>
    </message>
    <message>
        <source>New namespace name</source>
        <translation>Name des neuen Namespace</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Namespaces</source>
        <translation>&amp;Namespaces</translation>
    </message>
    <message>
        <source>Streamable HTTP endpoint URL</source>
        <translation>Streamable-HTTP-Endpunkt-URL</translation>
    </message>
    <message>
        <source>SSE endpoint URL</source>
        <translation>SSE-Endpunkt-URL</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <source>endpoint URL</source>
        <translation>Endpunkt-URL</translation>
    </message>
    <message>
        <source>SSE URL</source>
        <translation>SSE-URL</translation>
    </message>
    <message>
        <source>Streamable HTTP:</source>
        <translation>Streamable HTTP:</translation>
    </message>
    <message>
        <source>SSE (legacy):</source>
        <translation>SSE (veraltet):</translation>
    </message>
    <message>
        <source>Servers in this namespace</source>
        <translation>Server in diesem Namespace</translation>
    </message>
    <message>
        <source>Search tools (name, server, description)</source>
        <translation>Werkzeuge suchen (Name, Server, Beschreibung)</translation>
    </message>
    <message>
        <source>Search tools</source>
        <translation>Werkzeuge suchen</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>The name clients see instead of the prefixed one; empty: the default.</source>
        <translation>Der Name, den Clients statt des Namens mit Präfix sehen; leer: der Standardname.</translation>
    </message>
    <message>
        <source>Empty: the server&apos;s own description</source>
        <translation>Leer: die Beschreibung des Servers</translation>
    </message>
    <message>
        <source>Re&amp;set to defaults</source>
        <translation>&amp;Standard wiederherstellen</translation>
    </message>
    <message>
        <source>&amp;Rename to:</source>
        <translation>&amp;Umbenennen in:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>Input schema</source>
        <translation>Eingabeschema</translation>
    </message>
    <message>
        <source>Output schema</source>
        <translation>Ausgabeschema</translation>
    </message>
    <message>
        <source>&amp;Try it</source>
        <translation>&amp;Ausprobieren</translation>
    </message>
    <message>
        <source>Det&amp;ails</source>
        <translation>Ein&amp;zelheiten</translation>
    </message>
    <message>
        <source>Sc&amp;hema</source>
        <translation>Sc&amp;hema</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n tool(s)</source>
        <translation>
            <numerusform>%1 von %n Werkzeug</numerusform>
            <numerusform>%1 von %n Werkzeugen</numerusform>
        </translation>
    </message>
    <message>
        <source>(the gateway is not running)</source>
        <translation>(das Gateway läuft nicht)</translation>
    </message>
    <message>
        <source>Select a tool</source>
        <translation>Wählen Sie ein Werkzeug</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; from %2 (upstream name %3)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; von %2 (Name beim Upstream: %3)</translation>
    </message>
    <message>
        <source>(none: the tool returns unstructured content)</source>
        <translation>(keines: das Werkzeug liefert unstrukturierte Inhalte)</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>&amp;Prefix tool names with the server name</source>
        <translation>Werkzeugnamen den Servernamen &amp;voranstellen</translation>
    </message>
    <message>
        <source>Off: tools keep their upstream names, as if the client talked to the server itself (the first server wins a name clash).</source>
        <translation>Aus: Werkzeuge behalten ihre Namen beim Upstream, als spräche der Client direkt mit dem Server (bei gleichen Namen gewinnt der erste Server).</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::SchemaField</name>
    <message>
        <source>This field is required.</source>
        <translation>Dieses Feld ist erforderlich.</translation>
    </message>
    <message numerus="yes">
        <source>Enter at least %n character(s).</source>
        <translation>
            <numerusform>Geben Sie mindestens %n Zeichen ein.</numerusform>
            <numerusform>Geben Sie mindestens %n Zeichen ein.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enter at most %n character(s).</source>
        <translation>
            <numerusform>Geben Sie höchstens %n Zeichen ein.</numerusform>
            <numerusform>Geben Sie höchstens %n Zeichen ein.</numerusform>
        </translation>
    </message>
    <message>
        <source>The text must match the pattern %1.</source>
        <translation>Der Text muss dem Muster %1 entsprechen.</translation>
    </message>
    <message>
        <source>integer</source>
        <translation>Ganzzahl</translation>
    </message>
    <message>
        <source>number</source>
        <translation>Zahl</translation>
    </message>
    <message>
        <source>Enter a number, e.g. 42 or 3.5.</source>
        <translation>Geben Sie eine Zahl ein, z. B. 42 oder 3,5.</translation>
    </message>
    <message>
        <source>Enter a whole number.</source>
        <translation>Geben Sie eine ganze Zahl ein.</translation>
    </message>
    <message>
        <source>The value must be at least %1.</source>
        <translation>Der Wert muss mindestens %1 sein.</translation>
    </message>
    <message>
        <source>The value must be at most %1.</source>
        <translation>Der Wert darf höchstens %1 sein.</translation>
    </message>
    <message>
        <source>The value must be greater than %1.</source>
        <translation>Der Wert muss größer als %1 sein.</translation>
    </message>
    <message>
        <source>The value must be less than %1.</source>
        <translation>Der Wert muss kleiner als %1 sein.</translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation>(nicht gesetzt)</translation>
    </message>
    <message>
        <source>JSON value</source>
        <translation>JSON-Wert</translation>
    </message>
    <message>
        <source>This is not valid JSON.</source>
        <translation>Das ist kein gültiges JSON.</translation>
    </message>
    <message>
        <source>Enter a JSON %1.</source>
        <translation>Geben Sie JSON vom Typ %1 ein.</translation>
    </message>
    <message>
        <source>Add item</source>
        <translation>Element hinzufügen</translation>
    </message>
    <message>
        <source>Add an item to %1</source>
        <translation>Ein Element zu %1 hinzufügen</translation>
    </message>
    <message numerus="yes">
        <source>Add at least %n item(s).</source>
        <translation>
            <numerusform>Fügen Sie mindestens %n Element hinzu.</numerusform>
            <numerusform>Fügen Sie mindestens %n Elemente hinzu.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Add at most %n item(s).</source>
        <translation>
            <numerusform>Fügen Sie höchstens %n Element hinzu.</numerusform>
            <numerusform>Fügen Sie höchstens %n Elemente hinzu.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove this item</source>
        <translation>Dieses Element entfernen</translation>
    </message>
    <message>
        <source>Remove item %1</source>
        <translation>Element %1 entfernen</translation>
    </message>
    <message>
        <source>%1 (required)</source>
        <translation>%1 (erforderlich)</translation>
    </message>
    <message>
        <source>This tool takes no arguments.</source>
        <translation>Dieses Werkzeug hat keine Argumente.</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ServerEditDialog</name>
    <message>
        <source>&amp;Enabled</source>
        <translation>&amp;Aktiviert</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>Add server</source>
        <translation>Server hinzufügen</translation>
    </message>
    <message>
        <source>Edit server %1</source>
        <translation>Server %1 bearbeiten</translation>
    </message>
    <message>
        <source>e.g. github</source>
        <translation>z. B. github</translation>
    </message>
    <message>
        <source>Unique name; it prefixes the server&apos;s tools (github__create_issue).</source>
        <translation>Eindeutiger Name; er wird den Werkzeugen des Servers vorangestellt (github__create_issue).</translation>
    </message>
    <message>
        <source>e.g. npx, uvx, python, /usr/local/bin/my-server</source>
        <translation>z. B. npx, uvx, python, /usr/local/bin/mein-server</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose the program</source>
        <translation>Programm wählen</translation>
    </message>
    <message>
        <source>e.g. -y @modelcontextprotocol/server-everything</source>
        <translation>z. B. -y @modelcontextprotocol/server-everything</translation>
    </message>
    <message>
        <source>Separated by spaces; put arguments with spaces in double quotes.</source>
        <translation>Durch Leerzeichen getrennt; Argumente mit Leerzeichen in doppelte Anführungszeichen setzen.</translation>
    </message>
    <message>
        <source>NAME=value, one per line</source>
        <translation>NAME=Wert, einer pro Zeile</translation>
    </message>
    <message>
        <source>(inherit)</source>
        <translation>(übernehmen)</translation>
    </message>
    <message>
        <source>C&amp;ommand:</source>
        <translation>&amp;Befehl:</translation>
    </message>
    <message>
        <source>&amp;Arguments:</source>
        <translation>&amp;Argumente:</translation>
    </message>
    <message>
        <source>En&amp;vironment:</source>
        <translation>&amp;Umgebung:</translation>
    </message>
    <message>
        <source>&amp;Working folder:</source>
        <translation>Arbeits&amp;ordner:</translation>
    </message>
    <message>
        <source>Name: value, one per line</source>
        <translation>Name: Wert, einer pro Zeile</translation>
    </message>
    <message>
        <source>&amp;Load OpenAPI document…</source>
        <translation>OpenAPI-Dokument &amp;laden…</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Headers:</source>
        <translation>&amp;Header:</translation>
    </message>
    <message>
        <source>REST tools:</source>
        <translation>REST-Werkzeuge:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Grenzen</translation>
    </message>
    <message>
        <source>Re&amp;quest timeout:</source>
        <translation>Zeitlimit für An&amp;fragen:</translation>
    </message>
    <message>
        <source>&amp;Startup timeout:</source>
        <translation>Zeitlimit für den &amp;Start:</translation>
    </message>
    <message>
        <source>&amp;Concurrent requests:</source>
        <translation>&amp;Gleichzeitige Anfragen:</translation>
    </message>
    <message>
        <source>Namespaces</source>
        <translation>Namespaces</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>Serve in &amp;namespaces:</source>
        <translation>In &amp;Namespaces bereitstellen:</translation>
    </message>
    <message>
        <source>Choose the server program</source>
        <translation>Serverprogramm wählen</translation>
    </message>
    <message>
        <source>Give the server a name.</source>
        <translation>Geben Sie dem Server einen Namen.</translation>
    </message>
    <message>
        <source>The name may only contain letters, digits, &apos;-&apos; and &apos;_&apos; (at most 64 characters).</source>
        <translation>Der Name darf nur Buchstaben, Ziffern, &apos;-&apos; und &apos;_&apos; enthalten (höchstens 64 Zeichen).</translation>
    </message>
    <message>
        <source>There is already a server named %1.</source>
        <translation>Es gibt bereits einen Server namens %1.</translation>
    </message>
    <message>
        <source>Enter the command that starts the server, e.g. npx or python.</source>
        <translation>Geben Sie den Befehl ein, der den Server startet, z. B. npx oder python.</translation>
    </message>
    <message>
        <source>Line %1 of the environment is not NAME=value.</source>
        <translation>Zeile %1 der Umgebung hat nicht die Form NAME=Wert.</translation>
    </message>
    <message>
        <source>Enter the server&apos;s URL, e.g. https://example.com/mcp.</source>
        <translation>Geben Sie die URL des Servers ein, z. B. https://example.com/mcp.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid URL; it should look like https://example.com/mcp.</source>
        <translation>„%1“ ist keine gültige URL; sie sollte wie https://example.com/mcp aussehen.</translation>
    </message>
    <message>
        <source>The URL must start with http:// or https://.</source>
        <translation>Die URL muss mit http:// oder https:// beginnen.</translation>
    </message>
    <message>
        <source>Line %1 of the headers is not Name: value.</source>
        <translation>Zeile %1 der Header hat nicht die Form Name: Wert.</translation>
    </message>
    <message>
        <source>A REST server needs tools: load an OpenAPI document.</source>
        <translation>Ein REST-Server braucht Werkzeuge: Laden Sie ein OpenAPI-Dokument.</translation>
    </message>
    <message>
        <source>Base URL, e.g. https://api.example.com/v1</source>
        <translation>Basis-URL, z. B. https://api.example.com/v1</translation>
    </message>
    <message>
        <source>e.g. http://localhost:3001/sse</source>
        <translation>z. B. http://localhost:3001/sse</translation>
    </message>
    <message>
        <source>e.g. https://example.com/mcp</source>
        <translation>z. B. https://example.com/mcp</translation>
    </message>
    <message>
        <source>No tools yet.</source>
        <translation>Noch keine Werkzeuge.</translation>
    </message>
    <message numerus="yes">
        <source>%n tool(s): %1</source>
        <translation>
            <numerusform>%n Werkzeug: %1</numerusform>
            <numerusform>%n Werkzeuge: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message numerus="yes">
        <source>%1 — %n tool(s).</source>
        <translation>
            <numerusform>%1 – %n Werkzeug.</numerusform>
            <numerusform>%1 – %n Werkzeuge.</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>This is not an OpenAPI 3 document: %1</source>
        <translation>Das ist kein OpenAPI-3-Dokument: %1</translation>
    </message>
    <message>
        <source>The document has no operations that can become tools.</source>
        <translation>Das Dokument enthält keine Operationen, aus denen Werkzeuge werden können.</translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>Übersprungen: %1</translation>
    </message>
    <message>
        <source>Load an OpenAPI document</source>
        <translation>Ein OpenAPI-Dokument laden</translation>
    </message>
    <message>
        <source>OpenAPI documents (*.json);;All files (*)</source>
        <translation>OpenAPI-Dokumente (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>The gateway refused the server: %1</source>
        <translation>Das Gateway hat den Server abgelehnt: %1</translation>
    </message>
    <message>
        <source>Shared by all clients</source>
        <translation>Von allen Clients geteilt</translation>
    </message>
    <message>
        <source>One per client session</source>
        <translation>Einer pro Client-Sitzung</translation>
    </message>
    <message>
        <source>One per caller (API key)</source>
        <translation>Einer pro Aufrufer (API-Schlüssel)</translation>
    </message>
    <message>
        <source>Servers whose tools ask the client for sampling, elicitation or roots, and servers that keep per-user state, need their own process per session or per caller: on a shared process the gateway cannot tell which client such a request is for, and refuses it while several calls run.</source>
        <translation>Server, deren Tools den Client um Sampling, Elicitation oder Roots bitten, und Server mit Zustand pro Benutzer brauchen einen eigenen Prozess pro Sitzung oder pro Aufrufer: Bei einem geteilten Prozess kann das Gateway nicht erkennen, für welchen Client eine solche Anfrage ist, und lehnt sie ab, solange mehrere Aufrufe laufen.</translation>
    </message>
    <message>
        <source>&amp;Isolation:</source>
        <translation>&amp;Isolation:</translation>
    </message>
    <message>
        <source>Isolated &amp;processes at most:</source>
        <translation>Isolierte &amp;Prozesse höchstens:</translation>
    </message>
    <message>
        <source>Stop an idle process &amp;after:</source>
        <translation>Untätigen Prozess beenden &amp;nach:</translation>
    </message>
    <message>
        <source>Processes started ahead, so that a new session or stateless call does not wait for the server to start. One is started again whenever one is taken; an unclaimed one stops after the idle time.</source>
        <translation>Im Voraus gestartete Prozesse, damit eine neue Sitzung oder ein zustandsloser Aufruf nicht auf den Start des Servers wartet. Wird einer genommen, startet wieder einer; ein nicht abgeholter endet nach der Leerlaufzeit.</translation>
    </message>
    <message>
        <source>Keep &amp;ready in advance:</source>
        <translation>Im Voraus &amp;bereithalten:</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ServerModel</name>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <source>Command or URL</source>
        <translation>Befehl oder URL</translation>
    </message>
    <message numerus="yes">
        <source> (+%n isolated)</source>
        <translation>
            <numerusform> (+%n isoliert)</numerusform>
            <numerusform> (+%n isoliert)</numerusform>
        </translation>
    </message>
    <message>
        <source> – needs isolation</source>
        <translation> – braucht Isolation</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ServersPanel</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Res&amp;tart</source>
        <translation>&amp;Neu starten</translation>
    </message>
    <message>
        <source>Test &amp;connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Hinzufügen…</translation>
    </message>
    <message>
        <source>Add a stdio, Streamable HTTP, SSE or REST server</source>
        <translation>Einen stdio-, Streamable-HTTP-, SSE- oder REST-Server hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Import client config…</source>
        <translation>Client-Konfiguration &amp;importieren…</translation>
    </message>
    <message>
        <source>Import the mcpServers of Claude Desktop, Cursor or VS Code</source>
        <translation>Die mcpServers von Claude Desktop, Cursor oder VS Code übernehmen</translation>
    </message>
    <message>
        <source>Import &amp;OpenAPI…</source>
        <translation>&amp;OpenAPI importieren…</translation>
    </message>
    <message>
        <source>Expose the operations of a REST API as tools</source>
        <translation>Die Operationen einer REST-API als Werkzeuge bereitstellen</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Server log</source>
        <translation>Serverprotokoll</translation>
    </message>
    <message>
        <source>What the server writes to stderr (stdio) or transport events appear here.</source>
        <translation>Hier erscheint, was der Server auf stderr schreibt (stdio), oder Ereignisse der Verbindung.</translation>
    </message>
    <message>
        <source>&amp;Log:</source>
        <translation>&amp;Protokoll:</translation>
    </message>
    <message>
        <source>Added %1.</source>
        <translation>%1 hinzugefügt.</translation>
    </message>
    <message>
        <source>Saved %1; it restarts with the new settings.</source>
        <translation>%1 gespeichert; der Server startet mit den neuen Einstellungen neu.</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
    <message>
        <source>Could not remove %1: %2</source>
        <translation>%1 konnte nicht entfernt werden: %2</translation>
    </message>
    <message>
        <source>Remove server</source>
        <translation>Server entfernen</translation>
    </message>
    <message>
        <source>Remove %1? Its tools disappear from every namespace.</source>
        <translation>%1 entfernen? Seine Werkzeuge verschwinden aus allen Namespaces.</translation>
    </message>
    <message>
        <source>Restarting %1…</source>
        <translation>%1 wird neu gestartet…</translation>
    </message>
    <message>
        <source>Testing %1…</source>
        <translation>%1 wird getestet…</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 — %n tool(s).</source>
        <translation>
            <numerusform>%1: %2 – %n Werkzeug.</numerusform>
            <numerusform>%1: %2 – %n Werkzeuge.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: the test failed: %2</source>
        <translation>%1: Der Test ist fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Import a client configuration</source>
        <translation>Eine Client-Konfiguration importieren</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cannot import %1: %2</source>
        <translation>%1 kann nicht importiert werden: %2</translation>
    </message>
    <message>
        <source>%1 lists no servers.</source>
        <translation>%1 enthält keine Server.</translation>
    </message>
    <message>
        <source>The import failed: %1</source>
        <translation>Der Import ist fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n server(s): %1</source>
        <translation>
            <numerusform>%n Server übernommen: %1</numerusform>
            <numerusform>%n Server übernommen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>Übersprungen: %1</translation>
    </message>
    <message>
        <source>Import an OpenAPI document</source>
        <translation>Ein OpenAPI-Dokument importieren</translation>
    </message>
    <message>
        <source>OpenAPI documents (*.json);;All files (*)</source>
        <translation>OpenAPI-Dokumente (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Select a server</source>
        <translation>Wählen Sie einen Server</translation>
    </message>
    <message>
        <source>No servers yet: add one or import a client config.</source>
        <translation>Noch keine Server: Fügen Sie einen hinzu oder importieren Sie eine Client-Konfiguration.</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Server: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n tool(s)</source>
        <translation>
            <numerusform>%n Werkzeug</numerusform>
            <numerusform>%n Werkzeuge</numerusform>
        </translation>
    </message>
    <message>
        <source>Not in any namespace</source>
        <translation>In keinem Namespace</translation>
    </message>
    <message>
        <source>Namespaces: %1</source>
        <translation>Namespaces: %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
    <message>
        <source>Isolation: one process shared by all clients</source>
        <translation>Isolation: ein Prozess, von allen Clients geteilt</translation>
    </message>
    <message numerus="yes">
        <source>Isolation: one process per %1, %n running</source>
        <translation>
            <numerusform>Isolation: ein Prozess pro %1, %n läuft</numerusform>
            <numerusform>Isolation: ein Prozess pro %1, %n laufen</numerusform>
        </translation>
    </message>
    <message>
        <source>client session</source>
        <translation>Client-Sitzung</translation>
    </message>
    <message>
        <source>caller</source>
        <translation>Aufrufer</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::SettingsPanel</name>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>Durchsuchen</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Übernehmen</translation>
    </message>
    <message>
        <source>Re&amp;vert</source>
        <translation>&amp;Verwerfen</translation>
    </message>
    <message>
        <source>&amp;Keep the gateway running in the system tray when the window is closed</source>
        <translation>Das Gateway beim Schließen des Fensters in der &amp;Kontrollleiste weiterlaufen lassen</translation>
    </message>
    <message>
        <source>Show a desktop &amp;notification when an upstream fails</source>
        <translation>Eine Desktop-&amp;Benachrichtigung zeigen, wenn ein Upstream ausfällt</translation>
    </message>
    <message>
        <source>127.0.0.1 serves this computer only; 0.0.0.0 serves the network.</source>
        <translation>127.0.0.1 bedient nur diesen Rechner; 0.0.0.0 bedient das Netzwerk.</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>beliebiger freier Port</translation>
    </message>
    <message>
        <source>One origin per line, e.g. http://localhost:6274 (loopback origins are always allowed)</source>
        <translation>Ein Origin pro Zeile, z. B. http://localhost:6274 (Loopback-Origins sind immer erlaubt)</translation>
    </message>
    <message>
        <source>Extra Host header values, one per line (loopback names are always allowed)</source>
        <translation>Weitere Werte des Host-Headers, einer pro Zeile (Loopback-Namen sind immer erlaubt)</translation>
    </message>
    <message>
        <source>PEM file; empty: plain HTTP</source>
        <translation>PEM-Datei; leer: unverschlüsseltes HTTP</translation>
    </message>
    <message>
        <source>PEM file</source>
        <translation>PEM-Datei</translation>
    </message>
    <message>
        <source>Gateway listener</source>
        <translation>Gateway-Listener</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>Allowed &amp;origins:</source>
        <translation>Erlaubte &amp;Origins:</translation>
    </message>
    <message>
        <source>Allowed &amp;hosts:</source>
        <translation>Erlaubte &amp;Hosts:</translation>
    </message>
    <message>
        <source>TLS certificate</source>
        <translation>TLS-Zertifikat</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt);;All files (*)</source>
        <translation>PEM-Dateien (*.pem *.crt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>TLS &amp;certificate:</source>
        <translation>TLS-&amp;Zertifikat:</translation>
    </message>
    <message>
        <source>TLS private key</source>
        <translation>Privater TLS-Schlüssel</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.key);;All files (*)</source>
        <translation>PEM-Dateien (*.pem *.key);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>TLS &amp;key:</source>
        <translation>TLS-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>&amp;Data folder:</source>
        <translation>&amp;Datenordner:</translation>
    </message>
    <message>
        <source>Holds metamcp.db. A new folder is used from the next start.</source>
        <translation>Enthält die metamcp.db. Ein neuer Ordner gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source> messages</source>
        <translation> Nachrichten</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop</translation>
    </message>
    <message>
        <source>Traffic inspector &amp;keeps:</source>
        <translation>Der Verkehrsinspektor &amp;behält:</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IP address; use e.g. 127.0.0.1, ::1 or 0.0.0.0.</source>
        <translation>„%1“ ist keine IP-Adresse; verwenden Sie z. B. 127.0.0.1, ::1 oder 0.0.0.0.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an origin; write scheme, host and port only, e.g. http://localhost:6274.</source>
        <translation>„%1“ ist kein Origin; geben Sie nur Schema, Host und Port an, z. B. http://localhost:6274.</translation>
    </message>
    <message>
        <source>TLS needs both a certificate and a key (or neither).</source>
        <translation>TLS braucht ein Zertifikat und einen Schlüssel (oder keins von beiden).</translation>
    </message>
    <message>
        <source>The certificate file %1 does not exist.</source>
        <translation>Die Zertifikatsdatei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>The key file %1 does not exist.</source>
        <translation>Die Schlüsseldatei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>Wird übernommen…</translation>
    </message>
    <message>
        <source>Port %1 is already in use on %2. Choose another port, or stop the program that uses it.</source>
        <translation>Port %1 ist auf %2 bereits belegt. Wählen Sie einen anderen Port oder beenden Sie das Programm, das ihn verwendet.</translation>
    </message>
    <message>
        <source>The gateway cannot listen there: %1</source>
        <translation>Das Gateway kann dort nicht lauschen: %1</translation>
    </message>
    <message>
        <source>Applied. The gateway serves at %1.</source>
        <translation>Übernommen. Das Gateway ist unter %1 erreichbar.</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::ToolModel</name>
    <message>
        <source>Upstream name: %1</source>
        <translation>Name beim Upstream: %1</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::TrafficModel</name>
    <message>
        <source>notification</source>
        <translation>Benachrichtigung</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <source>tool error</source>
        <translation>Werkzeugfehler</translation>
    </message>
    <message>
        <source>error %1</source>
        <translation>Fehler %1</translation>
    </message>
    <message>
        <source>Request %1, response %2</source>
        <translation>Anfrage %1, Antwort %2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Namespace</source>
        <translation>Namespace</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Upstream</source>
        <translation>Upstream</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::TrayController</name>
    <message>
        <source>&amp;Open console</source>
        <translation>Konsole &amp;öffnen</translation>
    </message>
    <message>
        <source>&amp;Pause gateway</source>
        <translation>Gateway &amp;anhalten</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>%1 is failing</source>
        <translation>%1 ist fehlerhaft</translation>
    </message>
    <message>
        <source>The gateway is stopped</source>
        <translation>Das Gateway ist angehalten</translation>
    </message>
    <message>
        <source>The gateway is paused</source>
        <translation>Das Gateway ist pausiert</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n server(s) failing</source>
        <translation>
            <numerusform>%1 von %n Server fehlerhaft</numerusform>
            <numerusform>%1 von %n Servern fehlerhaft</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n server(s) ready</source>
        <translation>
            <numerusform>%1 von %n Server bereit</numerusform>
            <numerusform>%1 von %n Servern bereit</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All %n server(s) ready</source>
        <translation>
            <numerusform>%n Server bereit</numerusform>
            <numerusform>Alle %n Server bereit</numerusform>
        </translation>
    </message>
    <message>
        <source>No servers configured</source>
        <translation>Keine Server eingerichtet</translation>
    </message>
    <message>
        <source>MetaMCP Console</source>
        <translation>MetaMCP Console</translation>
    </message>
    <message>
        <source>&amp;Resume gateway</source>
        <translation>Gateway &amp;fortsetzen</translation>
    </message>
</context>
<context>
    <name>metamcp::ui::TryItWidget</name>
    <message>
        <source>&amp;Call</source>
        <translation>&amp;Aufrufen</translation>
    </message>
    <message>
        <source>&amp;Reset</source>
        <translation>&amp;Zurücksetzen</translation>
    </message>
    <message>
        <source>Call the tool with these arguments (Ctrl+Return)</source>
        <translation>Das Werkzeug mit diesen Argumenten aufrufen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Reset the form to the schema&apos;s defaults</source>
        <translation>Das Formular auf die Standardwerte des Schemas zurücksetzen</translation>
    </message>
    <message>
        <source>Call progress</source>
        <translation>Fortschritt des Aufrufs</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Raw response</source>
        <translation>Rohe Antwort</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>This tool is disabled in this namespace.</source>
        <translation>Dieses Werkzeug ist in diesem Namespace deaktiviert.</translation>
    </message>
    <message>
        <source>Fix the highlighted fields first:
%1</source>
        <translation>Korrigieren Sie zuerst die markierten Felder:
%1</translation>
    </message>
    <message>
        <source>Calling %1…</source>
        <translation>%1 wird aufgerufen…</translation>
    </message>
    <message>
        <source>Finished in %1</source>
        <translation>Fertig in %1</translation>
    </message>
    <message>
        <source>The call failed: %1</source>
        <translation>Der Aufruf ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The tool reported an error.</source>
        <translation>Das Werkzeug hat einen Fehler gemeldet.</translation>
    </message>
    <message>
        <source>The call succeeded.</source>
        <translation>Der Aufruf war erfolgreich.</translation>
    </message>
    <message>
        <source>Running… %1</source>
        <translation>Läuft… %1</translation>
    </message>
    <message>
        <source>Error %1: %2</source>
        <translation>Fehler %1: %2</translation>
    </message>
    <message>
        <source>The tool reported an error:</source>
        <translation>Das Werkzeug hat einen Fehler gemeldet:</translation>
    </message>
    <message>
        <source>An image (%1) that could not be decoded.</source>
        <translation>Ein Bild (%1), das nicht dekodiert werden konnte.</translation>
    </message>
    <message>
        <source>Image %1 × %2, %3</source>
        <translation>Bild %1 × %2, %3</translation>
    </message>
    <message>
        <source>Audio (%1, %2)</source>
        <translation>Audio (%1, %2)</translation>
    </message>
    <message>
        <source>Resource link:</source>
        <translation>Verweis auf Ressource:</translation>
    </message>
    <message>
        <source>Resource</source>
        <translation>Ressource</translation>
    </message>
    <message>
        <source>Binary data (%1)</source>
        <translation>Binärdaten (%1)</translation>
    </message>
    <message>
        <source>Structured content</source>
        <translation>Strukturierter Inhalt</translation>
    </message>
    <message>
        <source>The result has no content.</source>
        <translation>Das Ergebnis hat keinen Inhalt.</translation>
    </message>
    <message>
        <source>C&amp;ancel</source>
        <translation>A&amp;bbrechen</translation>
    </message>
    <message>
        <source>Cancel the running call (the upstream is told to stop)</source>
        <translation>Den laufenden Aufruf abbrechen (der Upstream-Server wird zum Anhalten aufgefordert)</translation>
    </message>
</context>
</TS>
