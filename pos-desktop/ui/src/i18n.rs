//! Every word the window shows, in Russian (default) and English. Engine errors are
//! worded here by their stable code; an unknown code shows the engine's own message.

use shared_model::Locale;

const WORDS: &[(&str, &str, &str)] = &[
    ("pin", "Введите PIN", "Enter your PIN"),
    ("login", "Войти", "Log in"),
    ("logout", "Выйти", "Log out"),
    ("open_shift", "Открыть смену", "Open shift"),
    ("float", "Размен в кассе, ₽", "Cash float"),
    (
        "scan",
        "Штрихкод или артикул (кол-во*код)",
        "Barcode or SKU (qty*code)",
    ),
    ("search", "Поиск товара", "Find a product"),
    ("total", "Итого", "Total"),
    ("discount", "Скидка", "Discount"),
    (
        "discount_hint",
        "Скидка: 10% или 500₽",
        "Discount: 10% or 500₽",
    ),
    ("due", "К оплате", "Due"),
    ("paid", "Оплачено", "Paid"),
    ("change", "Сдача", "Change"),
    ("pay", "Оплата", "Payment"),
    ("cash", "Наличные", "Cash"),
    ("card", "Карта", "Card"),
    ("certificate", "Сертификат", "Certificate"),
    ("approval", "Код авторизации", "Approval code"),
    ("cert_code", "Код сертификата", "Certificate code"),
    ("amount", "Сумма", "Amount"),
    ("take", "Принять", "Take"),
    ("complete", "Закрыть чек", "Complete sale"),
    ("new_sale", "Новый чек", "New sale"),
    ("receipt", "Чек", "Receipt"),
    ("park", "Отложить", "Park"),
    ("resume", "Отложенные", "Parked"),
    ("void", "Аннулировать", "Void"),
    ("reason", "Причина", "Reason"),
    ("return", "Возврат", "Return"),
    ("receipt_no", "Номер чека", "Receipt number"),
    ("return_all", "Вернуть всё", "Return all"),
    ("line", "Строка", "Line"),
    ("line_or_mark", "Строка или код маркировки", "Line or marking code"),
    ("qty", "Количество", "Quantity"),
    ("x_report", "X-отчёт", "X report"),
    ("close_shift", "Закрыть смену", "Close shift"),
    ("counted", "Наличных в кассе, ₽", "Cash counted"),
    ("z_report", "Z-отчёт", "Z report"),
    ("back", "Назад", "Back"),
    ("customer", "Покупатель", "Customer"),
    ("customer_q", "Телефон или карта", "Phone or card"),
    ("coupon", "Купон", "Coupon"),
    ("cash_in_out", "Внесение/изъятие", "Cash in/out"),
    ("cash_in", "Внести", "Cash in"),
    ("cash_out", "Изъять", "Cash out"),
    ("online", "В сети", "Online"),
    ("offline", "Нет связи", "Offline"),
    ("standalone", "Автономно", "Standalone"),
    ("waiting", "к отправке", "to send"),
    ("register", "ККТ", "Register"),
    ("register_ready", "готова", "ready"),
    ("non_fiscal", "Без ККТ (нефискальный режим)", "No register (non-fiscal)"),
    ("no_answer", "нет связи", "no answer"),
    ("in_progress", "печатает", "printing"),
    ("paper_out", "нет бумаги", "out of paper"),
    ("cover_open", "открыта крышка", "cover open"),
    ("shift_expired", "смена больше 24 ч — закройте смену", "shift over 24 h: close it"),
    ("shift_closed", "смена ККТ закрыта", "register shift closed"),
    ("shift_open", "смена ККТ уже открыта", "register shift already open"),
    ("ofd_lock", "ФН заблокирован: документы 30 дней не переданы в ОФД", "fiscal storage locked: 30 days without the OFD"),
    ("fn_expired", "срок ФН истёк", "fiscal storage expired"),
    ("fn_expiring", "срок ФН истекает", "fiscal storage expiring"),
    ("no_cash", "в ККТ меньше наличных", "the register counts less cash"),
    ("refused", "ККТ отклонила чек", "the register refused the receipt"),
    ("z_in", "до Z", "Z in"),
    ("min", "мин", "min"),
    ("hours_short", "ч", "h"),
    ("days", "дн.", "days"),
    ("z_required", "нужен Z-отчёт", "Z report needed"),
    ("ofd_backlog", "не передано в ОФД", "unsent to the OFD for"),
    ("ofd_unsent", "в ОФД:", "to the OFD:"),
    ("fiscal_pending", "Чек не пробит на ККТ", "The fiscal receipt is not printed"),
    ("retry", "Повторить", "Retry"),
    ("register_error", "Ошибка ККТ", "Register error"),
    ("shift", "Смена", "Shift"),
    ("no_shift", "Смена закрыта", "No shift"),
    ("empty", "Отсканируйте товар", "Scan an item"),
    ("promotions", "Акции", "Promotions"),
    (
        "confirm_lose",
        "Несохранённые данные будут потеряны. Нажмите Esc ещё раз.",
        "Unsaved input will be lost. Press Esc again.",
    ),
    ("sales", "Продажи", "Sales"),
    ("returns", "Возвраты", "Returns"),
    ("cash_sales", "Наличными", "In cash"),
    ("card_sales", "Картами", "By card"),
    ("expected_cash", "Должно быть в кассе", "Expected in drawer"),
    ("difference", "Расхождение", "Difference"),
    ("receipt_to", "E-mail или телефон для чека", "E-mail or phone for the receipt"),
    ("send_receipt", "Чек покупателю", "Send receipt"),
    ("receipt_goes_to", "Электронный чек:", "Electronic receipt to:"),
    ("register_outage", "ККТ неисправна", "Register out of order"),
    ("corrections_due", "чеков коррекции ждут", "corrections due"),
    ("register_counters", "Счётчики ККТ", "Fiscal register's counters"),
    ("register_agrees", "Совпадают с кассой", "Agree with the till"),
    (
        "register_differs",
        "Есть расхождения с кассой: проверьте чеки смены",
        "Differ from the till: check the shift's receipts",
    ),
    ("till_side", "Касса", "Till"),
    ("register_side", "ККТ", "Register"),
    ("fig_cash", "Наличные (нетто)", "Cash (net)"),
    ("fig_electronically", "Безналичные (нетто)", "Card (net)"),
    ("fig_prepaid", "Сертификаты (предоплата)", "Certificates (prepaid)"),
    ("lang", "English", "Русский"),
    ("printed_to", "Напечатан", "Printed"),
    ("printer_error", "Чек не напечатан", "Not printed"),
    ("reprint", "Печать ещё раз", "Reprint"),
    ("found", "Найдено", "Found"),
    ("quick", "Быстрые клавиши", "Quick keys"),
    ("printer", "Ошибка принтера", "Printer fault"),
    ("settings", "Настройки", "Settings"),
    ("printer_label", "Принтер чеков", "Receipt printer"),
    (
        "printer_hint",
        "files — в файлы; device:/dev/usb/lp0 — USB/COM; tcp:192.168.1.50:9100 — сеть",
        "files — to files; device:/dev/usb/lp0 — USB/serial; tcp:192.168.1.50:9100 — network",
    ),
    (
        "idle_lock",
        "Блокировка без действий, мин",
        "Lock when idle, minutes",
    ),
    (
        "scanner_prefix",
        "Префикс сканера (обычно пусто)",
        "Scanner prefix (usually empty)",
    ),
    (
        "scanner_suffix",
        "Сканер завершает код клавишей",
        "Scanner ends a code with",
    ),
    ("save", "Сохранить", "Save"),
    ("saved", "Сохранено", "Saved"),
    ("test_print", "Пробная печать", "Test print"),
    // Engine error codes.
    ("wrong_pin", "Неверный PIN", "Wrong PIN"),
    (
        "scan_held",
        "Сначала завершите оплату: отсканированный товар добавится после",
        "Finish the payment first: the scanned item is added after",
    ),
    (
        "scan_held_dialog",
        "Сначала закройте это окно: отсканированный товар добавится после",
        "Close this window first: the scanned item is added after",
    ),
    (
        "pin_locked",
        "Слишком много неверных PIN. Подождите, секунд:",
        "Too many wrong PINs. Wait, seconds:",
    ),
    (
        "pin_shared",
        "Этот PIN у двух сотрудников кассы — вход по нему закрыт. Центральный офис должен выдать одному из них другой.",
        "Two people on this till have this PIN, so it logs in nobody. Head office must give one of them another.",
    ),
    ("invalid_input", "Неверное значение", "Invalid input"),
    ("unknown_product", "Товар не найден", "No such product"),
    ("no_open_shift", "Смена не открыта", "No shift is open"),
    ("empty_cart", "Чек пуст", "The sale is empty"),
    (
        "cart_has_payments",
        "Сначала отмените оплаты",
        "Remove the payments first",
    ),
    (
        "approval_code",
        "Нужен код авторизации с терминала",
        "The card terminal's approval code is needed",
    ),
    (
        "forbidden",
        "Недостаточно прав",
        "Your role may not do this",
    ),
    ("not_logged_in", "Войдите по PIN", "Log in with your PIN"),
    (
        "sale_in_progress",
        "Сначала завершите, отложите или аннулируйте чек",
        "Complete, park or void the sale first",
    ),
    ("reason_required", "Укажите причину", "A reason is required"),
    (
        "return_exceeds_sold",
        "Больше, чем осталось к возврату",
        "More than is left to return",
    ),
    ("no_such_receipt", "Чек не найден", "No such receipt"),
    (
        "not_enough_cash",
        "В кассе недостаточно наличных",
        "Not enough cash in the drawer",
    ),
    ("coupon_refused", "Купон не принят", "Coupon refused"),
    // Marked goods (Честный ЗНАК).
    (
        "mark_required",
        "Товар маркирован: отсканируйте код DataMatrix с упаковки",
        "A marked product: scan the DataMatrix code on its pack",
    ),
    ("mark_not_found", "Код не найден в Честном ЗНАКе — продажа запрещена", "The code is unknown to Chestny ZNAK: not for sale"),
    ("mark_already_sold", "Товар с этим кодом уже продан — продажа запрещена", "This unit was sold already: not for sale"),
    ("mark_withdrawn", "Товар выведен из оборота — продажа запрещена", "Withdrawn from circulation: not for sale"),
    ("mark_expired", "Истёк срок годности — продажа запрещена", "Past its shelf life: not for sale"),
    ("mark_blocked", "Продажа заблокирована Честным ЗНАКом", "Sale blocked by Chestny ZNAK"),
    (
        "mark_no_answer",
        "Проверка кода не ответила, а для этой группы без неё продавать нельзя",
        "The code check did not answer, and this group may not be sold without it",
    ),
    ("mark_repeated", "Этот код уже в чеке (или в отложенном)", "This code is in the sale (or a parked one) already"),
    (
        "mark_sold_here",
        "Этот экземпляр уже продан на этой кассе и не возвращён",
        "This till sold this unit and did not take it back",
    ),
    ("mark_one_piece", "Маркированный товар — по одному коду на штуку", "A marked unit is one piece per code"),
    ("mark_not_in_sale", "В этом чеке нет товара с таким кодом", "This receipt sold no unit with this code"),
    ("mark_permitted", "ЧЗ ✓", "CZ ✓"),
    ("mark_code", "ЧЗ", "CZ"),
    ("mark_unchecked", "ЧЗ: без проверки, офис увидит", "CZ: unchecked, head office is told"),
    (
        "setup_title",
        "Подключение кассы к головному офису",
        "Connect this till to head office",
    ),
    ("server", "Адрес сервера", "Server address"),
    ("enrollment_code", "Код подключения", "Enrollment code"),
    (
        "setup_hint",
        "Код выдаётся в админке: Кассы → Новая касса. Он одноразовый.",
        "Head office issues the code under Tills → New till. It works once.",
    ),
    ("enroll", "Подключить", "Connect"),
    ("enrolling", "Подключение…", "Connecting…"),
    ("demo", "Демо без сервера", "Demo, no server"),
    ("data_dir", "Данные кассы", "Till data"),
    (
        "update_ready",
        "Обновление после закрытия смены:",
        "Update after the shift closes:",
    ),
    ("sync_refused", "Сервер отказал", "Head office refused"),
    (
        "already_initialised",
        "Касса уже настроена",
        "This till is already set up",
    ),
    (
        "unknown_customer",
        "Покупатель не найден",
        "No such customer",
    ),
];

/// The word for `key` in `locale` (the key itself if there is none).
pub fn t(locale: Locale, key: &str) -> String {
    WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, ru, en)| if locale == Locale::En { *en } else { *ru })
        .unwrap_or(key)
        .to_owned()
}

/// Codes whose engine message names what to fix (a device, the accepted form): in
/// Russian it follows our words rather than being dropped.
const WITH_DETAIL: [&str; 4] = ["printer", "invalid_input", "offline", "sync_refused"];

/// The text between the first « and the next ».
fn guillemets(s: &str) -> Option<&str> {
    let start = s.find('«')? + '«'.len_utf8();
    let len = s[start..].find('»')?;
    Some(&s[start..start + len])
}

/// An engine error in the cashier's language: in Russian our words for its code (the
/// engine speaks English), in English the engine's own, more detailed message.
pub fn error(locale: Locale, code: &str, message: &str) -> String {
    if code == "pin_locked" {
        // The wait, counted in whole seconds by the engine, in either language.
        let secs: String = message.chars().filter(char::is_ascii_digit).collect();
        return format!("{} {secs}", t(locale, code));
    }
    if locale == Locale::Ru && WORDS.iter().any(|(k, _, _)| *k == code) {
        // Marked goods: the product the engine names «in guillemets» follows our words.
        if let Some(name) = code
            .starts_with("mark_")
            .then(|| guillemets(message))
            .flatten()
        {
            return format!("{}: «{name}»", t(locale, code));
        }
        if WITH_DETAIL.contains(&code) {
            format!("{}: {message}", t(locale, code))
        } else {
            t(locale, code)
        }
    } else {
        message.to_owned()
    }
}
