"""The German translation of the flagship course page and its first module ("The role").

Keyed by the English text exactly as wagtail-localize segments it (rich text one paragraph or
list item at a time, inline tags kept), so the demo loader can fill the translation memory of
each page and publish the translations through wagtail-localize, as a translator would in the
admin. An English text missing here stays untranslated and the German page shows the English
(wagtail-localize's fallback); the demo tests check that every text of these pages is here.
Formal "Sie" throughout; figures, code and slugs are never translated.
"""

GERMAN_LANGUAGE = "de"

# The pages translated: the flagship course page, its first module and that module's lessons.
TRANSLATED_MODULE_SLUG = "the-role"

GERMAN: dict[str, str] = {
    # Slugs: a German page never answers at its own URL (every page is served at its original's,
    # courses.localization), but a slug of its own keeps lookups by slug unambiguous.
    "product-management-foundations": "grundlagen-des-produktmanagements",
    "the-role": "die-rolle",
    "what-a-product-manager-does": "was-ein-produktmanager-tut",
    "day-to-day-responsibilities": "aufgaben-im-arbeitsalltag",
    "product-or-project-manager": "produktmanager-oder-projektmanager",
    # The course page ------------------------------------------------------------------------
    "Product Management Foundations": "Grundlagen des Produktmanagements",
    "What product managers do, how the role differs from project management, the skills and "
    "tools it calls for, how people get into it, and six prioritization methods practised in "
    "graded notebooks.": (
        "Was Produktmanager tun, wie sich die Rolle vom Projektmanagement unterscheidet, welche "
        "Fähigkeiten und Werkzeuge sie verlangt, wie man in sie hineinfindet, und sechs "
        "Priorisierungsmethoden, die Sie in bewerteten Notebooks üben."
    ),
    "This course gives you a working picture of product management and then has you practise its "
    "core decision: what to build next. You will learn where the product manager sits in a team, "
    "which decisions are theirs, which skills and tools the job needs and how people move into "
    "it. Then you will rank real backlogs with RICE, ICE, MoSCoW, Kano, WSJF and weighted "
    "scoring, and finish with a capstone roadmap.": (
        "Dieser Kurs vermittelt Ihnen ein tragfähiges Bild des Produktmanagements und lässt Sie "
        "dann seine zentrale Entscheidung üben: was als Nächstes gebaut wird. Sie erfahren, wo "
        "der Produktmanager im Team steht, welche Entscheidungen bei ihm liegen, welche "
        "Fähigkeiten und Werkzeuge die Arbeit verlangt und wie man in den Beruf wechselt. "
        "Anschließend ordnen Sie echte Backlogs mit RICE, ICE, MoSCoW, Kano, WSJF und gewichteter "
        "Bewertung und schließen mit einer Abschluss-Roadmap ab."
    ),
    "What it takes to pass": "Was Sie zum Bestehen brauchen",
    "Complete every lesson.": "Schließen Sie jede Lektion ab.",
    "Answer at least four of the five final quiz questions correctly, in the best of three "
    "attempts.": (
        "Beantworten Sie mindestens vier der fünf Fragen des Abschlussquiz richtig, im besten "
        "von drei Versuchen."
    ),
    "Score at least 60% on the capstone exercise.": (
        "Erreichen Sie mindestens 60 % der Punktzahl in der Abschlussübung."
    ),
    "Earn at least 70% of all exercise points.": (
        "Erreichen Sie mindestens 70 % aller Punkte der Übungen."
    ),
    "Explain what a product manager is accountable for, day to day and over a product's life<br/>"
    "Tell product management apart from project management<br/>"
    "Name the six core skills of the role and the tool categories that support them<br/>"
    "Describe the three pillars of the product life cycle<br/>"
    "Plan a realistic route into a first product role<br/>"
    "Prioritize a backlog with RICE, ICE, MoSCoW, Kano, WSJF and weighted scoring<br/>"
    "Turn a scored backlog into a roadmap that respects dependencies and capacity": (
        "Erklären, wofür ein Produktmanager verantwortlich ist, im Alltag und über die ganze "
        "Lebensdauer eines Produkts<br/>"
        "Produktmanagement von Projektmanagement unterscheiden<br/>"
        "Die sechs Kernfähigkeiten der Rolle und die Werkzeugkategorien nennen, die sie "
        "unterstützen<br/>"
        "Die drei Säulen des Produktlebenszyklus beschreiben<br/>"
        "Einen realistischen Weg in eine erste Produktrolle planen<br/>"
        "Ein Backlog mit RICE, ICE, MoSCoW, Kano, WSJF und gewichteter Bewertung priorisieren<br/>"
        "Aus einem bewerteten Backlog eine Roadmap machen, die Abhängigkeiten und Kapazität "
        "berücksichtigt"
    ),
    # Module 1 -------------------------------------------------------------------------------
    "The product manager's role": "Die Rolle des Produktmanagers",
    "What the role is for, what fills the week, and how it differs from project management.": (
        "Wozu es die Rolle gibt, was die Woche füllt und wie sie sich vom Projektmanagement "
        "unterscheidet."
    ),
    # Lesson 1: What a product manager does --------------------------------------------------
    "What a product manager does": "Was ein Produktmanager tut",
    "The product manager owns the why and the what of a product; the team owns the how.": (
        "Der Produktmanager verantwortet das Warum und das Was eines Produkts; das Team "
        "verantwortet das Wie."
    ),
    "A product manager <b>owns the direction of a product</b>: which problems it should solve, "
    "for which people, and how everyone will know it is working. They write the product's "
    "<b>vision, strategy and roadmap</b>, decide which features make the cut, and define what "
    "success means before anything is built.": (
        "Ein Produktmanager <b>verantwortet die Richtung eines Produkts</b>: welche Probleme es "
        "lösen soll, für welche Menschen und woran alle erkennen, dass es funktioniert. Er "
        "schreibt <b>Vision, Strategie und Roadmap</b> des Produkts, entscheidet, welche "
        "Funktionen es hineinschaffen, und legt fest, was Erfolg bedeutet, bevor irgendetwas "
        "gebaut wird."
    ),
    "None of that is done alone. A product manager sits in the middle of a cross-functional "
    "group, with people from <b>engineering, design, marketing and research</b>, and usually "
    "manages none of them. The product manager's job is to set shared goals, keep the group "
    "motivated and make sure that what ships is what users and the business actually need.": (
        "Nichts davon geschieht allein. Ein Produktmanager steht in der Mitte einer "
        "funktionsübergreifenden Gruppe mit Menschen aus <b>Entwicklung, Design, Marketing und "
        "Forschung</b> und ist meist keinem von ihnen vorgesetzt. Seine Aufgabe ist es, "
        "gemeinsame Ziele zu setzen, die Gruppe motiviert zu halten und dafür zu sorgen, dass "
        "das, was ausgeliefert wird, dem entspricht, was Nutzer und Unternehmen tatsächlich "
        "brauchen."
    ),
    "Three kinds of knowledge": "Drei Arten von Wissen",
    "The real measure": "Der eigentliche Maßstab",
    "A launch is a beginning, not a finish line. A product manager is judged by the product's "
    "<b>success in the market</b> over time: whether it keeps serving its users and keeps earning "
    "its place, not by how many features went out.": (
        "Ein Launch ist ein Anfang, keine Ziellinie. Ein Produktmanager wird am <b>Erfolg des "
        "Produkts im Markt</b> über die Zeit gemessen: ob es seinen Nutzern weiterhin dient und "
        "sich seinen Platz immer wieder verdient, nicht daran, wie viele Funktionen "
        "ausgeliefert wurden."
    ),
    "Because markets move, the role also means watching business and consumer trends, including "
    "ones that touch the product only indirectly, such as a new regulation or a change in how "
    "people pay.": (
        "Weil Märkte sich bewegen, gehört zur Rolle auch, Wirtschafts- und Verbrauchertrends zu "
        "beobachten, auch solche, die das Produkt nur mittelbar berühren, etwa eine neue "
        "Vorschrift oder eine Veränderung in der Art, wie Menschen bezahlen."
    ),
    "Which of these belong to a product manager's job? Choose every one that does.": (
        "Was davon gehört zur Arbeit eines Produktmanagers? Wählen Sie alles aus, was zutrifft."
    ),
    "Setting the product's vision and roadmap": "Vision und Roadmap des Produkts festlegen",
    "Right: deciding where the product is going, and in what order, is the heart of the role.": (
        "Richtig: Zu entscheiden, wohin sich das Produkt entwickelt und in welcher Reihenfolge, "
        "ist der Kern der Rolle."
    ),
    "Defining what success looks like for a feature before it is built": (
        "Festlegen, wie Erfolg für eine Funktion aussieht, bevor sie gebaut wird"
    ),
    "Right: agreeing the measure up front is what lets the team learn whether the feature "
    "worked.": (
        "Richtig: Erst ein vorab vereinbarter Maßstab lässt das Team erkennen, ob die Funktion "
        "gewirkt hat."
    ),
    "Writing most of the product's code": "Den Großteil des Codes für das Produkt schreiben",
    "Not quite: engineers build the product. A product manager needs enough technical "
    "understanding to make trade-offs with them, not to replace them.": (
        "Nicht ganz: Das Produkt bauen die Entwicklerinnen und Entwickler. Ein Produktmanager "
        "braucht genug technisches Verständnis, um mit ihnen Abwägungen zu treffen, nicht, um "
        "sie zu ersetzen."
    ),
    "Being the line manager of the designers and engineers": (
        "Disziplinarische Führungskraft der Designer und Entwickler sein"
    ),
    "Usually not: the product manager leads through shared goals and influence; the people in "
    "the team report to their own managers.": (
        "Meist nicht: Der Produktmanager führt durch gemeinsame Ziele und Überzeugungskraft; die "
        "Menschen im Team berichten an ihre eigenen Vorgesetzten."
    ),
    "Direction and definition of success are the product manager's; building and line "
    "management are not.": (
        "Richtung und Erfolgsdefinition liegen beim Produktmanager; das Bauen und die "
        "disziplinarische Führung nicht."
    ),
    # Lesson 2: Day-to-day responsibilities --------------------------------------------------
    "Day-to-day responsibilities": "Aufgaben im Arbeitsalltag",
    "Six responsibilities that fill a product manager's week, from user needs to launch.": (
        "Sechs Aufgaben, die die Woche eines Produktmanagers füllen, von den Bedürfnissen der "
        "Nutzer bis zum Launch."
    ),
    "Job descriptions differ, but most product managers spend their weeks on the same six kinds "
    "of work. Each one answers a question the rest of the company relies on the product manager "
    "to answer.": (
        "Stellenbeschreibungen unterscheiden sich, doch die meisten Produktmanager verbringen "
        "ihre Wochen mit denselben sechs Arten von Arbeit. Jede beantwortet eine Frage, deren "
        "Antwort der Rest des Unternehmens vom Produktmanager erwartet."
    ),
    "1. Understand and represent the user": "1. Die Nutzer verstehen und vertreten",
    "Analyse what users are trying to get done and where they struggle, then <b>represent the "
    "user</b> in every decision, especially when no user is in the room.": (
        "Analysieren Sie, was Nutzer erledigen wollen und wo sie an Grenzen stoßen, und "
        "<b>vertreten Sie die Nutzer</b> dann in jeder Entscheidung, besonders wenn keiner von "
        "ihnen mit am Tisch sitzt."
    ),
    "2. Watch the market": "2. Den Markt beobachten",
    "Keep an eye on the market landscape: run market research, follow what competitors ship and "
    "write a <b>competitive analysis</b> that shows where the product is ahead, behind or simply "
    "different.": (
        "Behalten Sie das Marktumfeld im Blick: Betreiben Sie Marktforschung, verfolgen Sie, was "
        "Wettbewerber ausliefern, und schreiben Sie eine <b>Wettbewerbsanalyse</b>, die zeigt, wo "
        "das Produkt vorn liegt, zurückliegt oder einfach anders ist."
    ),
    "3. Set the vision and the long-range plan": "3. Vision und langfristigen Plan festlegen",
    "Turn the vision into a strategy and a <b>multi-year roadmap</b> that covers the product's "
    "<b>development, packaging, launch and expansion</b>: what gets built, how it is bundled and "
    "priced, how it reaches the market and where it grows next.": (
        "Übersetzen Sie die Vision in eine Strategie und eine <b>mehrjährige Roadmap</b>, die "
        "<b>Entwicklung, Paketierung, Markteinführung und Ausbau</b> des Produkts abdeckt: was "
        "gebaut wird, wie es gebündelt und bepreist wird, wie es auf den Markt kommt und wohin "
        "es als Nächstes wächst."
    ),
    "4. Communicate": "4. Kommunizieren",
    "Explain the vision to management, to the product team and to every other group with a "
    "stake in it, and <b>keep stakeholders informed</b> as plans change. Surprises cost trust; "
    "regular, honest updates build it.": (
        "Erklären Sie die Vision der Geschäftsleitung, dem Produktteam und jeder anderen "
        "beteiligten Gruppe, und <b>halten Sie die Stakeholder auf dem Laufenden</b>, wenn sich "
        "Pläne ändern. Überraschungen kosten Vertrauen; regelmäßige, ehrliche Updates bauen es "
        "auf."
    ),
    "5. Research and gather feedback": "5. Forschen und Feedback einholen",
    "Collect and run research on the product itself, including <b>quality assurance</b> (QA): "
    "does it work as intended, and does it solve the problem it was built for?": (
        "Sammeln und betreiben Sie Forschung zum Produkt selbst, einschließlich der "
        "<b>Qualitätssicherung</b> (QS): Funktioniert es wie vorgesehen, und löst es das "
        "Problem, für das es gebaut wurde?"
    ),
    "6. Guide the team through the life cycle": "6. Das Team durch den Lebenszyklus führen",
    "Lead the team <b>through every stage of the life cycle</b>, from the first idea to growth "
    "and eventually retirement, and make sure each hand-over between stages is clear.": (
        "Führen Sie das Team <b>durch jede Phase des Lebenszyklus</b>, von der ersten Idee über "
        "das Wachstum bis zur Einstellung des Produkts, und sorgen Sie dafür, dass jede Übergabe "
        "zwischen den Phasen klar ist."
    ),
    "Why it feels like many jobs": "Warum es sich wie viele Berufe anfühlt",
    "On a single day you may interview a customer in the morning, defend the roadmap to a "
    "director at noon and review test results in the afternoon. The common thread is the "
    "question every task serves: what should this product do next, and why?": (
        "An einem einzigen Tag führen Sie vielleicht morgens ein Kundeninterview, verteidigen "
        "mittags die Roadmap vor einer Direktorin und prüfen nachmittags Testergebnisse. Der rote "
        "Faden ist die Frage, der jede Aufgabe dient: Was soll dieses Produkt als Nächstes tun, "
        "und warum?"
    ),
    "A multi-year roadmap written by a product manager usually covers which of these?": (
        "Was davon deckt eine mehrjährige Roadmap, die ein Produktmanager schreibt, "
        "üblicherweise ab?"
    ),
    "Development, packaging, launch and expansion of the product": (
        "Entwicklung, Paketierung, Markteinführung und Ausbau des Produkts"
    ),
    "Right: the long-range plan follows the product from being built to how it is bundled, "
    "brought to market and grown.": (
        "Richtig: Der langfristige Plan begleitet das Produkt von seiner Entwicklung bis dahin, "
        "wie es gebündelt, auf den Markt gebracht und ausgebaut wird."
    ),
    "Only the list of features for the next sprint": "Nur die Liste der Funktionen für den "
    "nächsten Sprint",
    "A sprint list is a short-term delivery plan; a multi-year roadmap looks much further ahead "
    "and beyond features alone.": (
        "Eine Sprintliste ist ein kurzfristiger Lieferplan; eine mehrjährige Roadmap blickt viel "
        "weiter voraus und über einzelne Funktionen hinaus."
    ),
    "The salaries and hiring plan of the engineering team": (
        "Die Gehälter und der Einstellungsplan des Entwicklungsteams"
    ),
    "Staffing and pay belong to engineering management and HR, not to the product roadmap.": (
        "Personal und Vergütung gehören zur Entwicklungsleitung und zur Personalabteilung, nicht "
        "zur Produkt-Roadmap."
    ),
    "A rival app has just launched a feature your sales team keeps asking about. Which "
    "responsibility comes first?": (
        "Eine konkurrierende App hat gerade eine Funktion eingeführt, nach der Ihr Vertriebsteam "
        "immer wieder fragt. Welche Aufgabe kommt zuerst?"
    ),
    "Monitoring the market and updating the competitive analysis": (
        "Den Markt beobachten und die Wettbewerbsanalyse aktualisieren"
    ),
    "Yes: first understand what the rival shipped, for whom, and whether it matters to your "
    "users, before deciding anything.": (
        "Ja: Verstehen Sie zuerst, was der Wettbewerber ausgeliefert hat, für wen und ob es für "
        "Ihre Nutzer eine Rolle spielt, bevor Sie irgendetwas entscheiden."
    ),
    "Copying the feature in the next release": "Die Funktion im nächsten Release nachbauen",
    "Copying before analysing means letting a competitor set your roadmap; the feature may not "
    "fit your users at all.": (
        "Wer nachbaut, bevor er analysiert, überlässt einem Wettbewerber die eigene Roadmap; die "
        "Funktion passt womöglich gar nicht zu Ihren Nutzern."
    ),
    "Ignoring it, because the roadmap is already agreed": (
        "Sie ignorieren, weil die Roadmap bereits vereinbart ist"
    ),
    "A roadmap is a plan, not a promise: new facts from the market are exactly what should make "
    "you look again.": (
        "Eine Roadmap ist ein Plan, kein Versprechen: Neue Tatsachen aus dem Markt sind genau "
        "das, was Sie zu einem zweiten Blick veranlassen sollte."
    ),
    # Lesson 3: Product manager or project manager? ------------------------------------------
    "Product manager or project manager?": "Produktmanager oder Projektmanager?",
    "Two roles that are often confused: what each one owns and how they work together.": (
        "Zwei Rollen, die oft verwechselt werden: wofür jede verantwortlich ist und wie sie "
        "zusammenarbeiten."
    ),
    "The titles differ by two letters and the two people attend many of the same meetings, so "
    "they are easy to mix up. They share business goals and some tasks, but they are <b>two "
    "different jobs</b>. The product manager asks <b>what should we build, and why?</b> The "
    "project manager asks how the agreed work gets done <b>on time and within budget</b>.": (
        "Die Berufsbezeichnungen unterscheiden sich kaum, und beide sitzen in vielen derselben "
        "Meetings, daher verwechselt man sie leicht. Sie teilen Geschäftsziele und manche "
        "Aufgaben, aber es sind <b>zwei verschiedene Berufe</b>. Der Produktmanager fragt: <b>Was "
        "sollen wir bauen, und warum?</b> Der Projektmanager fragt, wie die vereinbarte Arbeit "
        "<b>termingerecht und im Budget</b> erledigt wird."
    ),
    "A useful picture": "Ein hilfreiches Bild",
    "The product manager decides where to go; the project manager plans the journey and keeps it "
    "on schedule. A product needs both, and they work best when each trusts the other with their "
    "half.": (
        "Der Produktmanager entscheidet, wohin die Reise geht; der Projektmanager plant die "
        "Route und hält den Zeitplan. Ein Produkt braucht beide, und sie arbeiten am besten, "
        "wenn jeder dem anderen seine Hälfte anvertraut."
    ),
    "A launch date is slipping because two teams are waiting on each other. Whose job is it "
    "first to re-plan the schedule?": (
        "Ein Launch-Termin verschiebt sich, weil zwei Teams aufeinander warten. Wessen Aufgabe "
        "ist es zuerst, den Zeitplan neu zu planen?"
    ),
    "The project manager": "Die des Projektmanagers",
    "Right: schedules, dependencies and budgets are the project manager's ground.": (
        "Richtig: Zeitpläne, Abhängigkeiten und Budgets sind das Terrain des Projektmanagers."
    ),
    "The product manager": "Die des Produktmanagers",
    "The product manager helps decide what to cut if the date cannot move, but re-planning the "
    "delivery belongs to the project manager.": (
        "Der Produktmanager hilft zu entscheiden, was wegfällt, wenn sich der Termin nicht "
        "verschieben lässt, aber die Lieferung neu zu planen, ist Sache des Projektmanagers."
    ),
    "Whoever noticed the delay first": "Die der Person, die die Verzögerung zuerst bemerkt hat",
    "Raising the alarm is everyone's duty, but owning the fix should not depend on chance; that "
    "is what the project manager's role is for.": (
        "Alarm zu schlagen ist die Pflicht aller, doch wer die Lösung verantwortet, sollte nicht "
        "vom Zufall abhängen; genau dafür gibt es die Rolle des Projektmanagers."
    ),
    "Which question is the product manager's to answer?": (
        "Welche Frage hat der Produktmanager zu beantworten?"
    ),
    "Should we build offline mode or team sharing next?": (
        "Sollen wir als Nächstes den Offline-Modus oder das Teilen im Team bauen?"
    ),
    "Yes: choosing what to build, and why, is product work.": (
        "Ja: Auszuwählen, was gebaut wird, und warum, ist Produktarbeit."
    ),
    "Can we finish offline mode in six weeks with this team?": (
        "Schaffen wir den Offline-Modus mit diesem Team in sechs Wochen?"
    ),
    "That is a delivery question about time and capacity, the project manager's side.": (
        "Das ist eine Lieferfrage zu Zeit und Kapazität, also die Seite des Projektmanagers."
    ),
}
