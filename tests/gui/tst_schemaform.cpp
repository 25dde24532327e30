// The Try it form generated from JSON Schemas: every kind of field, defaults, nested objects,
// arrays, enums, validation messages, and the rendering of tool results.

#include "widgets/schemaform.h"
#include "widgets/tryitwidget.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

using namespace metamcp::ui;

namespace {
QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

const char kSchema[] = R"({
  "type": "object",
  "required": ["name", "count", "mode"],
  "properties": {
    "name": {"type": "string", "minLength": 2, "maxLength": 5, "description": "Who"},
    "count": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
    "ratio": {"type": "number", "exclusiveMaximum": 1},
    "mode": {"type": "string", "enum": ["fast", "slow"]},
    "verbose": {"type": "boolean"},
    "strict": {"type": "boolean", "default": true},
    "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    "options": {"type": "object", "required": ["depth"], "properties": {
        "depth": {"type": "integer"},
        "label": {"type": "string", "default": "x"}}},
    "level": {"anyOf": [{"const": "low"}, {"const": "high"}]},
    "extra": {"type": "object"},
    "target": {"$ref": "#/$defs/target"}
  },
  "$defs": {"target": {"type": "string", "description": "From a $ref"}}
})";
} // namespace

class TestSchemaForm final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void editorsForEveryType();
    void defaultsAndValues();
    void validationMessages_data();
    void validationMessages();
    void arrays();
    void noArguments();
    void renderResult();
};

void TestSchemaForm::editorsForEveryType()
{
    SchemaForm form;
    form.setSchema(parse(kSchema));
    QVERIFY(form.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")));
    QVERIFY(form.findChild<QLineEdit *>(QStringLiteral("countLineEdit")));
    QVERIFY(form.findChild<QLineEdit *>(QStringLiteral("ratioLineEdit")));
    QVERIFY(form.findChild<QComboBox *>(QStringLiteral("modeComboBox")));
    QVERIFY(form.findChild<QComboBox *>(QStringLiteral("verboseComboBox"))); // optional: not set/true/false
    QVERIFY(form.findChild<QCheckBox *>(QStringLiteral("strictCheckBox")));  // has a default
    QVERIFY(form.findChild<QPushButton *>(QStringLiteral("tagsAddPushButton")));
    QVERIFY(form.findChild<QLineEdit *>(QStringLiteral("options.depthLineEdit")));
    QVERIFY(form.findChild<QComboBox *>(QStringLiteral("levelComboBox")));
    QVERIFY(form.findChild<QPlainTextEdit *>(QStringLiteral("extraPlainTextEdit"))); // free-form object
    QVERIFY(form.findChild<QLineEdit *>(QStringLiteral("targetLineEdit")));          // resolved $ref
}

void TestSchemaForm::defaultsAndValues()
{
    SchemaForm form;
    form.setSchema(parse(kSchema));
    QCOMPARE(form.findChild<QLineEdit *>(QStringLiteral("countLineEdit"))->text(), QStringLiteral("3"));
    QCOMPARE(form.findChild<QLineEdit *>(QStringLiteral("options.labelLineEdit"))->text(), QStringLiteral("x"));
    form.findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))->setText(QStringLiteral("ada"));
    form.findChild<QComboBox *>(QStringLiteral("modeComboBox"))->setCurrentIndex(1);
    form.findChild<QComboBox *>(QStringLiteral("verboseComboBox"))->setCurrentIndex(1);
    form.findChild<QLineEdit *>(QStringLiteral("ratioLineEdit"))->setText(QStringLiteral("0.25"));
    form.findChild<QLineEdit *>(QStringLiteral("options.depthLineEdit"))->setText(QStringLiteral("2"));
    form.findChild<QPlainTextEdit *>(QStringLiteral("extraPlainTextEdit"))
        ->setPlainText(QStringLiteral(R"({"a": [1]})"));
    QVERIFY2(form.validate().isEmpty(), qPrintable(form.validate().join(QLatin1Char('\n'))));
    const QJsonObject args = form.arguments();
    QCOMPARE(args.value(QStringLiteral("name")).toString(), QStringLiteral("ada"));
    QCOMPARE(args.value(QStringLiteral("count")).toInteger(), 3);
    QVERIFY(args.value(QStringLiteral("count")).isDouble());
    QCOMPARE(args.value(QStringLiteral("mode")).toString(), QStringLiteral("slow"));
    QCOMPARE(args.value(QStringLiteral("verbose")).toBool(), true);
    QCOMPARE(args.value(QStringLiteral("strict")).toBool(), true);
    QCOMPARE(args.value(QStringLiteral("ratio")).toDouble(), 0.25);
    QCOMPARE(args.value(QStringLiteral("options")).toObject(),
             (QJsonObject{{QStringLiteral("depth"), 2}, {QStringLiteral("label"), QStringLiteral("x")}}));
    QCOMPARE(args.value(QStringLiteral("extra")).toObject().value(QStringLiteral("a")).toArray().size(), 1);
    // Optional fields left empty are omitted.
    QVERIFY(!args.contains(QStringLiteral("code")));
    QVERIFY(!args.contains(QStringLiteral("tags")));
    QVERIFY(!args.contains(QStringLiteral("level")));
    QVERIFY(!args.contains(QStringLiteral("target")));

    // setArguments fills the form back (replay into Try it).
    SchemaForm other;
    other.setSchema(parse(kSchema));
    other.setArguments(args);
    QCOMPARE(other.arguments(), args);
}

void TestSchemaForm::validationMessages_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("required") << QStringLiteral("name") << QString() << QStringLiteral("required");
    QTest::newRow("too short") << QStringLiteral("name") << QStringLiteral("a") << QStringLiteral("at least 2");
    QTest::newRow("too long") << QStringLiteral("name") << QStringLiteral("abcdefg") << QStringLiteral("at most 5");
    QTest::newRow("not a number") << QStringLiteral("count") << QStringLiteral("many") << QStringLiteral("number");
    QTest::newRow("not whole") << QStringLiteral("count") << QStringLiteral("2.5") << QStringLiteral("whole");
    QTest::newRow("below minimum") << QStringLiteral("count") << QStringLiteral("0") << QStringLiteral("at least 1");
    QTest::newRow("above maximum") << QStringLiteral("count") << QStringLiteral("11") << QStringLiteral("at most 10");
    QTest::newRow("exclusive") << QStringLiteral("ratio") << QStringLiteral("1") << QStringLiteral("less than 1");
    QTest::newRow("pattern") << QStringLiteral("code") << QStringLiteral("abc") << QStringLiteral("pattern");
    QTest::newRow("nested required") << QStringLiteral("options.depth") << QString() << QStringLiteral("required");
}

void TestSchemaForm::validationMessages()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    SchemaForm form;
    form.setSchema(parse(kSchema));
    form.findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))->setText(QStringLiteral("ada"));
    form.findChild<QComboBox *>(QStringLiteral("modeComboBox"))->setCurrentIndex(0);
    form.findChild<QLineEdit *>(QStringLiteral("options.depthLineEdit"))->setText(QStringLiteral("1"));
    QVERIFY(form.validate().isEmpty());
    form.findChild<QLineEdit *>(field + QStringLiteral("LineEdit"))->setText(value);
    const QStringList errors = form.validate();
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().startsWith(field + QStringLiteral(": ")), qPrintable(errors.first()));
    QVERIFY2(errors.first().contains(message), qPrintable(errors.first()));
    auto *label = form.findChild<QLabel *>(field + QStringLiteral("ErrorLabel"));
    QVERIFY(label);
    QVERIFY(!label->isHidden());
    QVERIFY(label->text().contains(message));
}

void TestSchemaForm::arrays()
{
    SchemaForm form;
    form.setSchema(parse(kSchema));
    form.findChild<QLineEdit *>(QStringLiteral("nameLineEdit"))->setText(QStringLiteral("ada"));
    form.findChild<QLineEdit *>(QStringLiteral("options.depthLineEdit"))->setText(QStringLiteral("1"));
    auto *add = form.findChild<QPushButton *>(QStringLiteral("tagsAddPushButton"));
    for (int i = 0; i < 3; ++i)
        add->click();
    form.findChild<QLineEdit *>(QStringLiteral("tags[0]LineEdit"))->setText(QStringLiteral("a"));
    form.findChild<QLineEdit *>(QStringLiteral("tags[1]LineEdit"))->setText(QStringLiteral("b"));
    form.findChild<QLineEdit *>(QStringLiteral("tags[2]LineEdit"))->setText(QStringLiteral("c"));
    const QStringList errors = form.validate();
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.first().contains(QStringLiteral("at most 2")));
    form.findChild<QToolButton *>(QStringLiteral("tags[2]RemoveToolButton"))->click();
    QVERIFY(form.validate().isEmpty());
    QCOMPARE(form.arguments().value(QStringLiteral("tags")).toArray(),
             (QJsonArray{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestSchemaForm::noArguments()
{
    SchemaForm form;
    form.setSchema(parse(R"({"type": "object", "properties": {}})"));
    QVERIFY(form.findChild<QLabel *>(QStringLiteral("noArgumentsLabel")));
    QVERIFY(form.validate().isEmpty());
    QCOMPARE(form.arguments(), QJsonObject());
}

void TestSchemaForm::renderResult()
{
    QTextBrowser browser;
    QImage image(8, 6, QImage::Format_RGB32);
    image.fill(Qt::red);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    const QJsonObject response{
        {QStringLiteral("result"),
         QJsonObject{{QStringLiteral("content"),
                      QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                             {QStringLiteral("text"), QStringLiteral("Echo: <hi>")}},
                                 QJsonObject{{QStringLiteral("type"), QStringLiteral("image")},
                                             {QStringLiteral("mimeType"), QStringLiteral("image/png")},
                                             {QStringLiteral("data"), QString::fromLatin1(png.toBase64())}}}},
                     {QStringLiteral("structuredContent"), QJsonObject{{QStringLiteral("sum"), 42}}}}}};
    TryItWidget::renderResult(&browser, response);
    const QString text = browser.toPlainText();
    QVERIFY(text.contains(QStringLiteral("Echo: <hi>")));
    QVERIFY(text.contains(QStringLiteral("8 × 6")));
    QVERIFY(text.contains(QStringLiteral("\"sum\": 42")));
    const QVariant resource =
        browser.document()->resource(QTextDocument::ImageResource, QUrl(QStringLiteral("tryit-image://0")));
    QVERIFY(resource.isValid());

    TryItWidget::renderResult(&browser,
                              QJsonObject{{QStringLiteral("error"),
                                           QJsonObject{{QStringLiteral("code"), -32602},
                                                       {QStringLiteral("message"), QStringLiteral("Unknown tool")}}}});
    QVERIFY(browser.toPlainText().contains(QStringLiteral("-32602")));
    QVERIFY(browser.toPlainText().contains(QStringLiteral("Unknown tool")));
}

QTEST_MAIN(TestSchemaForm)
#include "tst_schemaform.moc"
