"""Defaults a fresh install starts with (officers edit them): themes of signals, the thresholds of
issue 9 (3 complaints, or 1 lex Sarah on "risk för missförhållande", in 90 days) and the visit
checklist of seed 001 (documents: employment records, social documentation, management system;
premises: staff room, meeting room, work clothes, equipment, key management).

`ensure_defaults` is idempotent; the migration, the demo and the tests call it."""

THEMES = ["Bemötande", "Mat och måltider", "Hygien", "Kontinuitet", "Tidsregistrering", "Sekretess", "Läkemedel",
          "Uteblivna besök", "Kommunikation och information", "Bemanning och kompetens", "Ekonomiska oegentligheter",
          "Övrigt"]
CHECKLIST = [
    ("documents", "Anställningsförhållanden (anställningsavtal, schema, timavlönade)"),
    ("documents", "Utbildning: undersköterska, svenska språket"),
    ("documents", "Social dokumentation och genomförandeplaner (stickprov)"),
    ("documents", "Ledningssystem: rutiner, egenkontroll, riskanalyser"),
    ("documents", "Avvikelser, lex Sarah och klagomål: rutin och rapporterade ärenden"),
    ("premises", "Personalrum"),
    ("premises", "Mötesrum"),
    ("premises", "Arbetskläder och tvätt"),
    ("premises", "Utrustning och skyddsutrustning"),
    ("premises", "Nyckelhantering (godkänd, kvittens)"),
    ("interviews", "Intervju med verksamhetsansvarig"),
    ("interviews", "Intervju med personal"),
]


def ensure_defaults(apps=None):
    if apps is None:
        from django.apps import apps
    Theme = apps.get_model("indepth", "SignalTheme")
    Rule = apps.get_model("indepth", "SignalRule")
    Item = apps.get_model("indepth", "ChecklistItem")
    for i, name in enumerate(THEMES):
        Theme.objects.get_or_create(name=name, defaults={"sort_order": i * 10})
    if not Rule.objects.exists():
        Rule.objects.create(source="client", min_severity=1, count=3, days=90)
        Rule.objects.create(source="lex_sarah", min_severity=3, count=1, days=90)
    if not Item.objects.exists():
        for i, (group, text) in enumerate(CHECKLIST):
            Item.objects.create(group=group, text=text, order=i * 10)
