# The web pages' words (English). Keys start with ui-; the shared catalog (en.ftl) holds labels
# of statuses, kinds, roles and the error messages.

## Layout
ui-product = Whistle & Report · 12345 Requests
ui-skip-to-content = Skip to content
ui-lang-switch = Language
ui-lang-zh = 中文
ui-lang-en = English
ui-logout = Sign out
ui-nav-label = Main
ui-footer = Dongcheng District · Residents' personal data is used only to handle their requests and is partly hidden wherever it is shown
ui-nav-home = Home
ui-nav-submit = Make a request
ui-nav-track = Track a request
ui-nav-login = Staff sign-in
ui-nav-my-requests = My requests
ui-nav-my-work = My work
ui-required = (required)
ui-optional = (optional)
ui-form-has-errors = Please correct the following and send again:

## Errors
ui-error-title = Something went wrong
ui-error-status = Error code { $status }
ui-error-home = Back to the home page
ui-error-not-found = The page you are looking for does not exist.
ui-error-forbidden = You may not open this page.
ui-error-method = This page cannot be used this way.
ui-error-too-large = What you sent is too large (a photo may be at most 10 MB).
ui-error-bad-request = What you sent is malformed; please go back and fill in the form again.
ui-error-internal = The server has a problem; please try again later.
ui-error-csrf = This form has expired or did not come from this site, so nothing was saved. Please go back, reload the page and send it again.

## Login
ui-login-title = Staff sign-in
ui-login-lead = Staff of streets, departments and communities sign in with their account. Residents need no account to make or track a request.
ui-login-username = Username
ui-login-password = Password
ui-login-submit = Sign in

## Home
ui-home-title = Tell your street office
ui-home-lead = Litter, street stalls, noise, repairs, water or heating — or an idea to make things better: tell us here. The street office passes it to the unit in charge and answers you within set deadlines.
ui-home-submit = Make a request
ui-home-submit-text = Say what and where, leave a phone number, and we will contact you.
ui-home-track = Track a request
ui-home-track-text = See how your request is handled, with its number and access code.
ui-home-how = How it works
ui-home-step-1 = You send your request and get a request number and an access code.
ui-home-step-2 = The street office passes it to the unit or department in charge, and summons several departments ("blows the whistle") when needed.
ui-home-step-3 = The handler contacts you and deals with it, within deadlines counted in working days.
ui-home-step-4 = When it is done, we call you back to ask whether you are satisfied.
ui-home-hotline = You can also call the 12345 citizens' hotline.
ui-web-resident = Web resident

## Submit
ui-submit-title = Make a request
ui-submit-lead = Tell us what the problem is and where. Items marked "required" must be filled in.
ui-submit-kind = Kind of request
ui-submit-kind-invalid = Choose the kind of request
ui-submit-text = Your request
ui-submit-text-hint = What happened, since when, and what you would like done (at most 2,000 characters).
ui-submit-place = Place
ui-submit-place-hint = Click the place on the map, choose the community from the list, or type the address.
ui-submit-map-hint = Click the map where the problem is.
ui-submit-map-picked = Chosen:{" "}
ui-submit-map-approximate = The map's boundaries are approximate, for orientation only.
ui-submit-map-invalid = The point chosen on the map is not valid; choose again or pick the community from the list
ui-submit-community = Community
ui-submit-community-none = Not sure: use the address or the map
ui-submit-address = Address
ui-submit-address-hint = E.g. 东直门南大街5号院. House and room numbers are hidden wherever it is shown.
ui-submit-place-required = Click the place on the map, choose a community or type the address
ui-submit-place-not-found = We could not find the community of this address; choose it from the list or click the map
ui-submit-phone = Phone
ui-submit-phone-hint = A mobile or a landline with its area code; the handler will call you on it.
ui-submit-name = Your name
ui-submit-photo = Photo
ui-submit-photo-hint = You may add one photo of the place (at most 10 MB).
ui-submit-photo-type = Choose an image file (e.g. JPG or PNG)
ui-submit-photo-size = A photo may be at most 10 MB
ui-submit-photo-again = To add a photo, choose it again.
ui-submit-privacy = Your name, phone and address are used only to handle this request, and are partly hidden wherever they are shown.
ui-submit-send = Send
ui-submit-form-reused = This form was already sent with other contents; please fill it in again below and send.

## Submitted
ui-submitted-title = Request received
ui-submitted-number = Request number
ui-submitted-code = Access code
ui-submitted-keep = Please note the request number and the access code: you need both to track your request. The access code is shown only here, and staff will never ask you for it.
ui-submitted-my = See it under "My requests"
ui-submitted-photo = The photo is recorded with your request.
ui-submitted-next = The street office will pass it to the unit in charge, and the handler will contact you.
ui-submitted-track = Track a request

## Track
ui-track-title = Track a request
ui-track-lead = Enter the request number and the access code you were given when you sent it.
ui-track-number = Request number
ui-track-number-hint = E.g. 110101-20261127-0001
ui-track-code = Access code
ui-track-code-hint = The 10 letters and digits shown when you sent it; upper or lower case.
ui-track-submit = Track
ui-track-not-found = No such request: please check the number and the access code.
ui-track-case = Request { $number }
ui-track-received = Sent
ui-track-place = Place
ui-track-reporter = Requested by
ui-track-photos = { $count }
ui-track-deadlines = Deadlines
ui-track-deadline-response = To contact you by
ui-track-deadline-resolution = To resolve by
ui-track-met = done { $at }
ui-track-overdue = Overdue
ui-track-result = Result
ui-track-rating = Your rating
ui-track-callback = Call-back: { $satisfaction }; problem { $solved }
ui-track-solved-yes = solved
ui-track-solved-no = not solved
ui-track-awaiting-callback = We will call you back: please tell us then whether the problem is solved and whether you are satisfied (satisfied / basically satisfied / dissatisfied).
ui-track-no-callback-yet = When it is done, we will call you back for your rating.
ui-track-rate-lead = Your request has been dealt with and checked by the street office. You can rate the result here (it counts as the callback):
ui-track-rate-contacted = Did a member of staff contact you?
ui-track-rate-solved = Is the problem solved?
ui-track-rate-satisfaction = Are you satisfied with the result?
ui-track-rate-note = Anything else you want to tell us (optional)
ui-track-rate-yes = Yes
ui-track-rate-no = No
ui-track-rate-submit = Send rating
ui-track-rate-thanks = Thank you — your rating has been recorded.
ui-track-rate-choose = Please choose one
ui-track-timeline = What happened
ui-track-another = Track another request
ui-track-ev-received = Request sent
ui-track-ev-answered = Answered: { $answer }
ui-track-ev-dispatched = Passed to { $assignee }
ui-track-ev-accepted = The handling unit took it on
ui-track-ev-reassigning = Finding the right unit to handle it
ui-track-ev-contacted = The handler contacted you
ui-track-ev-extended = The deadline to resolve was extended to { $due }
ui-track-ev-resolved = Resolved: { $result }
ui-track-ev-verified = The result was checked on site
ui-track-ev-callback = Called back; your rating: { $satisfaction }
ui-track-ev-closed = Closed
ui-track-ev-reopened = Not solved: handled again
ui-track-ev-terminated = Ended without a solution: { $reason }
ui-track-ev-merged = Handled together with the same request { $number }
ui-track-ev-whistle = The street office summoned the departments concerned to act together
ui-track-ev-whistle-concluded = The departments concerned finished acting together
ui-track-ev-photo = Photo added
ui-track-status-received = We have your request and are finding the unit to handle it.
ui-track-status-answered = Your question has been answered.
ui-track-status-dispatched = Passed to the unit in charge; waiting for it to take it on.
ui-track-status-accepted = The unit in charge took it on and will contact you.
ui-track-status-return_requested = Confirming which unit is in charge.
ui-track-status-returned = Finding another unit to handle it.
ui-track-status-contacted = The handler has contacted you and is dealing with it.
ui-track-status-resolved = Done; the result is being checked.
ui-track-status-verified = The result was checked; waiting for the call-back.
ui-track-status-callback_recorded = Called back; about to be closed.
ui-track-status-closed = Closed. Thank you for taking part.
ui-track-status-reopened = Not solved; being handled again.
ui-track-status-terminated = Ended without a solution.
ui-track-status-merged = Handled together with the same request.

## My work
ui-my-tabs = Filter
ui-my-tab-open = Open
ui-my-tab-overdue = Overdue
ui-my-tab-all = All
ui-my-total = { $total } in all
ui-my-empty = No requests here yet.
ui-my-caption = Requests
ui-my-col-number = Number
ui-my-col-status = Status
ui-my-col-request = Request
ui-my-col-place = Place
ui-my-col-assignee = Handled by
ui-my-col-received = Received
ui-my-col-due = Resolve by
ui-my-pages = Pages
ui-my-prev = Previous
ui-my-next = Next
ui-my-page-of = Page { $page } of { $pages }
