/**
 * Dutch texts of the widget itself (the bot's own texts come from the server).
 * Kept in one place so a site owner or translator finds them at once.
 */
export const NL = {
  launcherOpen: "Open de chat met {title}",
  launcherLabel: "Chat",
  unreadOne: "1 nieuw bericht",
  unreadMany: "{count} nieuwe berichten",
  closeLabel: "Sluit de chat",
  newConversation: "Nieuw gesprek",
  newConversationLabel: "Begin een nieuw gesprek (je kiest eerst of je vorige gesprek gewist wordt)",
  newConversationQuestion:
    "Wil je je vorige gesprek eerst laten wissen? Dan verdwijnt het ook van onze server; dat kan niet " +
    "ongedaan worden. Wis je het niet, dan blijft het daar staan tot het na {days} dagen vanzelf " +
    "wordt gewist. Vanuit dit venster kun je het dan niet meer wissen.",
  newConversationDelete: "Ja, wis het en begin opnieuw",
  newConversationKeep: "Nee, begin opnieuw",
  newConversationCancel: "Annuleer",
  deletingOld: "Je vorige gesprek wordt gewist…",
  panelLabel: "Chatvenster van {title}",
  inputPlaceholder: "Typ je bericht…",
  inputLabel: "Je bericht aan {title}",
  sendLabel: "Verstuur je bericht",
  typing: "{title} typt…",
  botSays: "{title} zegt: ",
  youSaid: "Jij: ",
  choicesLabel: "Kies een antwoord",
  choicesAnnounce: " Je kunt een knop kiezen of zelf typen.",
  chosen: "gekozen",
  progress: "Vraag {n} van {m}",
  progressLabel: "Voortgang van de vragen",
  imageAlt: "Afbeelding bij je uitkomst",
  offline: "Even geen verbinding met {title}. We proberen het automatisch opnieuw. Wat je nu typt, versturen we zodra het weer lukt.",
  reconnected: "De verbinding is terug.",
  errorGeneric: "Er ging iets mis bij het versturen. Probeer het nog eens.",
  privacyTitle: "Goed om te weten",
  privacyText:
    "Dit gesprek wordt op onze server bewaard, zodat je later verder kunt. " +
    "We bewaren je berichten en antwoorden {days} dagen; daarna worden ze gewist. " +
    "Wil je alles eerder laten verwijderen? Typ dan **verwijder mijn gegevens** of gebruik de knop hieronder.",
  privacyButton: "Verwijder mijn gegevens",
  deleteCommand: "verwijder mijn gegevens",
  deleted: "Je gesprek is gewist: op onze server en uit dit venster.",
  expired: "Je vorige gesprek was ouder dan {days} dagen en is uit dit venster gewist.",
  serverForgot: "Dit gesprek staat niet meer op onze server. Je begint opnieuw.",
};

/**
 * Fill `{name}` placeholders in a UI text.
 * @param {string} template text with placeholders
 * @param {Record<string, string|number>} values replacement values
 * @returns {string}
 */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole,
  );
}
